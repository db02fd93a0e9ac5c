//! Rebuild when a migration is added or removed: `embed_migrations!` sees
//! edits to the files it embeds, but cargo cannot see a new directory
//! without this line (see the `nzc_migrate` crate docs).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
