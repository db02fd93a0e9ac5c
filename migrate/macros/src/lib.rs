//! `embed_migrations!("migrations")`: the migrations of a directory
//! (relative to the embedding crate's `CARGO_MANIFEST_DIR`) compiled into
//! the binary as an `nzc_migrate::Migrations` value.
//!
//! Every file is embedded with `include_str!`, so rustc records it as an
//! input and an edit rebuilds the crate. A directory added or removed is
//! not seen by cargo without a build script (`cargo:rerun-if-changed=<dir>`):
//! see the `nzc_migrate` crate docs. The macro checks at compile time what
//! the runtime would refuse: a migration without `up.sql` or `down.sql`, two
//! migrations with one version.

use nzc_types::contract::{parse_migration_id, version_key, SNAPSHOT_FILE as SNAPSHOT};
use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use std::path::{Path, PathBuf};

/// Embeds the migrations of a directory. See the crate docs.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    match expand(input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let (rel, span) = if input.is_empty() {
        ("migrations".to_string(), Span::call_site())
    } else {
        let lit: syn::LitStr = syn::parse2(input)?;
        (lit.value(), lit.span())
    };
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(span, "CARGO_MANIFEST_DIR is not set: build with cargo"))?;
    let dir = root.join(&rel);
    let found = read_dir(&dir).map_err(|e| syn::Error::new(span, e))?;
    let entries = found.iter().map(|m| {
        let shown = format!("{}/{}", rel.trim_end_matches('/'), m.id);
        let up = path_str(&m.dir.join("up.sql"));
        let down = path_str(&m.dir.join("down.sql"));
        let snapshot = match &m.snapshot {
            Some(p) => {
                let p = path_str(p);
                quote!(::core::option::Option::Some(::core::include_str!(#p)))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            ::nzc_migrate::__private::EmbeddedMigration {
                dir: #shown,
                up: ::core::include_str!(#up),
                down: ::core::include_str!(#down),
                snapshot: #snapshot,
            }
        }
    });
    let rel_lit = rel.clone();
    Ok(quote! {
        ::nzc_migrate::Migrations::__embedded(#rel_lit, &[#(#entries),*])
    })
}

struct Found {
    id: String,
    version: String,
    dir: PathBuf,
    snapshot: Option<PathBuf>,
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_dir(dir: &Path) -> Result<Vec<Found>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "cannot read the migrations directory {}: {e}",
            dir.display()
        )
    })?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((version, _)) = parse_migration_id(&name) else {
            continue;
        };
        if !path.is_dir() {
            continue;
        }
        for file in ["up.sql", "down.sql"] {
            if !path.join(file).is_file() {
                return Err(format!(
                    "migration {} must hold up.sql and down.sql",
                    path.display()
                ));
            }
        }
        let snapshot = Some(path.join(SNAPSHOT)).filter(|p| p.is_file());
        out.push(Found {
            version: version.to_string(),
            id: name.clone(),
            dir: path,
            snapshot,
        });
    }
    out.sort_by(|a, b| version_key(&a.version).cmp(&version_key(&b.version)));
    for pair in out.windows(2) {
        if version_key(&pair[0].version) == version_key(&pair[1].version) {
            return Err(format!(
                "two migrations have version {}: {} and {}",
                pair[0].version, pair[0].id, pair[1].id
            ));
        }
    }
    Ok(out)
}
