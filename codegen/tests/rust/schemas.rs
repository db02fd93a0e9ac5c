//! Hand-built schema models (IR values) for the Rust renderer's tests, and a
//! seeded generator of random schemas for the rustfmt check.

use heck::ToLowerCamelCase;
use nzc_dsl::{
    Column, ColumnType, Enum, ForeignKey, Group, Index, Kind, PrimaryKey, ReferentialAction,
    ScalarType, Schema, Table, Unique,
};

pub fn scalar(kind: Kind) -> ColumnType {
    ColumnType::Scalar(ScalarType::plain(kind))
}

pub fn col(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.into(),
        ty,
        nullable: false,
        default: None,
        doc: None,
        renamed_from: None,
    }
}

pub fn opt(mut c: Column) -> Column {
    c.nullable = true;
    c
}

pub fn doc(mut c: Column, doc: &str) -> Column {
    c.doc = Some(doc.into());
    c
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub fn table(name: &str, group: Option<&str>, pk: &[&str], columns: Vec<Column>) -> Table {
    Table {
        name: name.into(),
        doc: None,
        group: group.map(Into::into),
        renamed_from: None,
        columns,
        primary_key: PrimaryKey {
            name: format!("pk_{name}"),
            columns: strings(pk),
        },
        uniques: vec![],
        foreign_keys: vec![],
        indexes: vec![],
        checks: vec![],
    }
}

pub fn unique(name: &str, columns: &[&str]) -> Unique {
    Unique {
        name: name.into(),
        columns: strings(columns),
        nulls_not_distinct: false,
    }
}

pub fn index(name: &str, columns: &[&str], unique: bool) -> Index {
    Index {
        name: name.into(),
        columns: strings(columns),
        unique,
    }
}

pub fn fk(name: &str, columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: strings(columns),
        ref_table: ref_table.into(),
        ref_columns: strings(ref_columns),
        on_delete: ReferentialAction::NoAction,
        on_update: ReferentialAction::NoAction,
    }
}

pub fn enum_(name: &str, doc: Option<&str>, values: &[&str]) -> Enum {
    Enum {
        name: name.into(),
        values: strings(values),
        doc: doc.map(Into::into),
        renamed_from: None,
    }
}

pub fn group(name: &str, doc: Option<&str>, tables: &[&str]) -> Group {
    Group {
        name: name.into(),
        doc: doc.map(Into::into),
        tables: strings(tables),
    }
}

/// Every feature of the renderer: composite keys in both orders, composite
/// unique, unique index, single/composite/self-referencing foreign keys,
/// every type of the type table (nullable and not), enums with renamed and
/// clashing values, keyword columns, awkward docs, per-field serde renames.
pub fn features_schema() -> Schema {
    let mut city = table(
        "City",
        Some("Core"),
        &["cityId"],
        vec![
            doc(
                col("cityId", scalar(Kind::Uuid)),
                "Client-generated v4 UUID.",
            ),
            col("cityName", scalar(Kind::Varchar)),
            doc(
                opt(col("URL", scalar(Kind::Varchar))),
                "Home page.\n\nNot */ a comment end, not a /* start either.\r\nLast line \\ with \"quotes\"  ",
            ),
            opt(col("area_km2", scalar(Kind::Numeric))),
            doc(col("type", scalar(Kind::Text)), "`type` is a Rust keyword."),
            opt(col("self", scalar(Kind::Int))),
        ],
    );
    city.doc = Some(
        "A city.\n/// not a doc marker\n*/ }\n#[not_an_attribute]\n\tline\u{2028}separator, \u{202e}bidi, nul\u{0}.\u{3000}"
            .into(),
    );

    let mut emission = table(
        "EmissionRecord",
        Some("Emissions"),
        &["emissionRecordId"],
        vec![
            col("emissionRecordId", scalar(Kind::Uuid)),
            opt(col("cityId", scalar(Kind::Uuid))),
            col("year", scalar(Kind::Int)),
            opt(col("sectorId", scalar(Kind::Uuid))),
            col("scope", ColumnType::Enum("Scope".into())),
            opt(col("status", ColumnType::Enum("record_status".into()))),
            col("ghgType", scalar(Kind::Varchar)),
            col("value", scalar(Kind::Int)),
            opt(col("misc", scalar(Kind::Jsonb))),
        ],
    );
    emission.doc = Some("One emission figure of a city, for a year, sector, scope and gas.".into());
    emission.uniques.push(unique(
        "uq_EmissionRecord_cityId",
        &["cityId", "year", "sectorId", "scope", "ghgType"],
    ));
    emission.foreign_keys.push(fk(
        "fk_EmissionRecord_cityId_City",
        &["cityId"],
        "City",
        &["cityId"],
    ));
    emission.foreign_keys.push(fk(
        "fk_EmissionRecord_sectorId_Sector",
        &["sectorId"],
        "Sector",
        &["sectorId"],
    ));

    let sector = table(
        "Sector",
        None,
        &["sectorId"],
        vec![
            col("sectorId", scalar(Kind::Uuid)),
            col("sectorName", scalar(Kind::Varchar)),
        ],
    );

    // Composite primary key in field order: on the fields.
    let mut initiative_tef = table(
        "InitiativeTef",
        None,
        &["initiativeId", "tefId"],
        vec![
            col("initiativeId", scalar(Kind::Uuid)),
            col("tefId", scalar(Kind::Uuid)),
            opt(col("notes", scalar(Kind::Text))),
        ],
    );
    initiative_tef.foreign_keys.push(fk(
        "fk_InitiativeTef_tefId_TefCategory",
        &["tefId"],
        "TefCategory",
        &["tefId"],
    ));

    // Composite primary key in another order than the fields: on the struct.
    let mut city_year = table(
        "CityYear",
        Some("Core"),
        &["year", "cityId"],
        vec![
            col("cityId", scalar(Kind::Uuid)),
            col("year", scalar(Kind::Int)),
            opt(col("population", scalar(Kind::BigInt))),
        ],
    );
    city_year.foreign_keys.push(fk(
        "fk_CityYear_cityId_City",
        &["cityId"],
        "City",
        &["cityId"],
    ));

    // Composite foreign key, unique index, two single foreign keys on one column.
    let mut city_year_note = table(
        "CityYearNote",
        None,
        &["noteId"],
        vec![
            col("noteId", scalar(Kind::Uuid)),
            col("cityId", scalar(Kind::Uuid)),
            col("year", scalar(Kind::Int)),
            col("body", scalar(Kind::Text)),
        ],
    );
    city_year_note.foreign_keys.push(fk(
        "fk_CityYearNote_cityId_CityYear",
        &["cityId", "year"],
        "CityYear",
        &["cityId", "year"],
    ));
    city_year_note.foreign_keys.push(fk(
        "fk_CityYearNote_cityId_City",
        &["cityId"],
        "City",
        &["cityId"],
    ));
    city_year_note.foreign_keys.push(fk(
        "fk_CityYearNote_cityId_Other",
        &["cityId"],
        "CityYear",
        &["cityId"],
    ));
    city_year_note
        .indexes
        .push(index("ix_CityYearNote_cityId", &["cityId", "body"], true));
    city_year_note
        .indexes
        .push(index("ix_CityYearNote_year", &["year"], false));

    // A tree: self-reference.
    let mut tef = table(
        "TefCategory",
        None,
        &["tefId"],
        vec![
            col("tefId", scalar(Kind::Uuid)),
            opt(col("parentId", scalar(Kind::Uuid))),
            col("code", scalar(Kind::Varchar)),
        ],
    );
    tef.foreign_keys.push(fk(
        "fk_TefCategory_parentId_TefCategory",
        &["parentId"],
        "TefCategory",
        &["tefId"],
    ));
    tef.uniques.push(unique("uq_TefCategory_code", &["code"]));

    // Every type of the type table, nullable and not; snake_case table name.
    let mut columns = vec![col("id", scalar(Kind::BigInt))];
    for info in nzc_types::TYPES {
        let name = info.dsl.to_lower_camel_case();
        columns.push(col(&name, scalar(info.kind)));
        columns.push(opt(col(&format!("{name}Null"), scalar(info.kind))));
    }
    let all_types = table("all_types", None, &["id"], columns);

    Schema {
        enums: vec![
            enum_(
                "Scope",
                Some("GHG protocol scope.\nScope 3 is optional."),
                &["scope 1", "scope 2", "Scope1", "SCOPE_1", "scope\"3\\"],
            ),
            enum_(
                "record_status",
                None,
                &["active", "retired", "self", "2030", "CO2", "type", "—"],
            ),
        ],
        tables: vec![
            city,
            emission,
            sector,
            initiative_tef,
            city_year,
            city_year_note,
            tef,
            all_types,
        ],
        groups: vec![
            group(
                "Core",
                Some("Cities and their yearly figures."),
                &["City", "CityYear"],
            ),
            group("Emissions", None, &["EmissionRecord"]),
        ],
        ..Schema::default()
    }
}

/// Names at PostgreSQL's 63-byte limit and lists long enough for every
/// layout rustfmt uses for attributes.
pub fn long_names_schema() -> Schema {
    let t63 = "ClimateCityContractInitiativeStakeholderIndicatorValueHistories"; // 63
    assert_eq!(t63.len(), 63);
    let c63 = "initiativeStakeholderIndicatorValueExpectedChangeContributionId"; // 63
    assert_eq!(c63.len(), 63);
    let fk63 = "fk_ClimateCityContractInitiativeStakeholderIndica_c0ffee_Target";
    assert_eq!(fk63.len(), 63);
    let short: Vec<String> = (0..14).map(|i| format!("c{i}")).collect();
    let mut columns = vec![
        col(c63, scalar(Kind::Uuid)),
        opt(col(
            "timestampWithTimeZoneOfTheLastChangeOfThisRow",
            scalar(Kind::Timestamptz),
        )),
        opt(col(
            "aVeryLongColumnNameThatOverflowsTheLine",
            scalar(Kind::Timestamptz),
        )),
        col(
            "aColumnNameThatStillFitsOnTheLineOk",
            scalar(Kind::Timestamptz),
        ),
    ];
    columns.extend(short.iter().map(|c| col(c, scalar(Kind::SmallInt))));
    let mut long = table(t63, None, &[c63], columns);
    let short_refs: Vec<&str> = short.iter().map(String::as_str).collect();
    long.uniques
        .push(unique("uq_short_columns_mixed_layout", &short_refs));
    long.uniques.push(unique(
        "uq_ClimateCityContractInitiativeStakeholderIndica_c0ffee_Target",
        &[
            "timestampWithTimeZoneOfTheLastChangeOfThisRow",
            "aVeryLongColumnNameThatOverflowsTheLine",
        ],
    ));
    long.foreign_keys.push(fk(fk63, &[c63], t63, &[c63]));
    long.foreign_keys.push(fk(
        "fk_composite",
        &[
            "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10",
        ],
        "Target",
        &[
            "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10",
        ],
    ));
    let target = table(
        "Target",
        None,
        &["c0", "c1", "c2"],
        vec![
            col("c0", scalar(Kind::SmallInt)),
            col("c1", scalar(Kind::SmallInt)),
            col("c2", scalar(Kind::SmallInt)),
        ],
    );
    Schema {
        enums: vec![enum_(
            "LongValues",
            None,
            &[
                "a value of sixty-three bytes, the longest PostgreSQL allows, ok",
                "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
                "ünïcödé välüé ✓",
                "tab\there",
            ],
        )],
        tables: vec![long, target],
        ..Schema::default()
    }
}

/// `tables` tables of `columns` columns each, with keys and foreign keys.
pub fn wide_schema(tables: usize, columns: usize) -> Schema {
    let types = [
        Kind::Uuid,
        Kind::Varchar,
        Kind::Text,
        Kind::Int,
        Kind::BigInt,
        Kind::Numeric,
        Kind::Date,
        Kind::Timestamp,
        Kind::Jsonb,
        Kind::Boolean,
    ];
    let tables = (0..tables)
        .map(|t| {
            let name = format!("WideTable{t}");
            let mut cols = vec![col(&format!("wideTable{t}Id"), scalar(Kind::Uuid))];
            for c in 1..columns {
                let mut column = col(
                    &format!("someColumn{c}Value"),
                    scalar(types[c % types.len()]),
                );
                column.nullable = c % 3 == 0;
                cols.push(column);
            }
            let pk = format!("wideTable{t}Id");
            let mut table = table(&name, None, &[&pk], cols);
            if t > 0 {
                table.columns[1] = col("parentId", scalar(Kind::Uuid));
                table.foreign_keys.push(fk(
                    &format!("fk_{name}_parentId_WideTable{}", t - 1),
                    &["parentId"],
                    &format!("WideTable{}", t - 1),
                    &[&format!("wideTable{}Id", t - 1)],
                ));
            }
            table.uniques.push(unique(
                &format!("uq_{name}_someColumn2Value"),
                &["someColumn2Value"],
            ));
            table
        })
        .collect();
    Schema {
        tables,
        ..Schema::default()
    }
}

/// A small xorshift generator: the same seed gives the same schema.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A name of `len` bytes: mostly camelCase ASCII, sometimes other characters.
    pub fn name(&mut self, len: usize) -> String {
        const PLAIN: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        const ODD: &[&str] = &["\"", "\\", " ", "-", "é", "ü", "✓", "漢", "'", "\t"];
        let odd = self.chance(15);
        let mut s = String::new();
        while s.len() < len {
            if odd && self.chance(10) {
                let piece = ODD[self.below(ODD.len())];
                if s.len() + piece.len() <= len {
                    s.push_str(piece);
                    continue;
                }
            }
            s.push(PLAIN[self.below(PLAIN.len())] as char);
        }
        s
    }

    /// A length favouring short names and names near (and past) the 63-byte limit.
    pub fn len(&mut self) -> usize {
        match self.below(5) {
            0 => 1 + self.below(4),
            1 => 40 + self.below(24),
            // Longer than PostgreSQL allows: the layout must still be rustfmt's.
            2 => 60 + self.below(50),
            _ => 1 + self.below(63),
        }
    }

    /// Doc text with line breaks of every kind, blank and indented lines,
    /// trailing and Unicode white space, comment and attribute look-alikes.
    pub fn doc(&mut self) -> String {
        const PIECES: &[&str] = &[
            "word",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "\n\n",
            "*/",
            "/*",
            "//",
            "///",
            "#[x]",
            "`code`",
            "    indented",
            "\u{3000}",
            "\u{2028}",
            "\u{85}",
            "\u{202e}",
            "\u{0}",
            "é",
            "✓",
            "}",
            "\\",
        ];
        (0..1 + self.below(12))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }

    /// A lowercase name of `len` bytes with an occasional capital, so that
    /// its snake_case and UpperCamelCase forms have about its length.
    pub fn plain_name(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| {
                let c = b'a' + self.below(26) as u8;
                if self.chance(5) {
                    c.to_ascii_uppercase() as char
                } else {
                    c as char
                }
            })
            .collect()
    }

    fn pick<'a>(&mut self, list: &'a [String]) -> &'a String {
        &list[self.below(list.len())]
    }
}

/// A random schema with every construct the renderer writes.
pub fn random_schema(seed: u64) -> Schema {
    let mut rng = Rng::new(seed);
    let enums: Vec<Enum> = (0..1 + rng.below(3))
        .map(|e| {
            let n = rng.below(6);
            let values: Vec<String> = (0..n)
                .map(|_| {
                    let len = rng.len();
                    rng.name(len)
                })
                .collect();
            let len = rng.below(30);
            Enum {
                name: format!("E{e}{}", rng.name(len)),
                values,
                doc: rng.chance(30).then(|| "An enum.\n\n  indented".to_string()),
                renamed_from: None,
            }
        })
        .collect();
    let table_names: Vec<String> = (0..2 + rng.below(5))
        .map(|t| {
            let len = rng.len();
            format!("T{t}{}", rng.name(len.saturating_sub(2)))
        })
        .collect();
    let tables = table_names
        .iter()
        .map(|name| {
            let short_names = rng.chance(30);
            let columns: Vec<Column> = (0..1 + rng.below(8))
                .map(|i| {
                    let len = if short_names {
                        1 + rng.below(6)
                    } else {
                        rng.len()
                    };
                    let ty = if !enums.is_empty() && rng.chance(15) {
                        ColumnType::Enum(enums[rng.below(enums.len())].name.clone())
                    } else {
                        let info = &nzc_types::TYPES[rng.below(nzc_types::TYPES.len())];
                        scalar(info.kind)
                    };
                    let mut c = col(&format!("c{i}{}", rng.name(len)), ty);
                    c.nullable = rng.chance(50);
                    if rng.chance(20) {
                        c.doc = Some(rng.doc());
                    }
                    c
                })
                .collect();
            let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
            let pick_some = |rng: &mut Rng, max: usize| -> Vec<String> {
                (0..1 + rng.below(max))
                    .map(|_| rng.pick(&names).clone())
                    .collect()
            };
            let fk_name = |rng: &mut Rng| {
                let len = rng.len();
                format!("fk_{}", rng.name(len.saturating_sub(3)))
            };
            let pk = pick_some(&mut rng, 3);
            let mut t = table(name, None, &[], columns.clone());
            t.primary_key.columns = pk;
            for _ in 0..rng.below(3) {
                let len = rng.len();
                t.uniques.push(Unique {
                    name: format!("uq_{}", rng.name(len.saturating_sub(3))),
                    columns: pick_some(&mut rng, 14),
                    nulls_not_distinct: false,
                });
            }
            if rng.chance(40) {
                let len = rng.len();
                t.indexes.push(Index {
                    name: format!("ix_{}", rng.name(len.saturating_sub(3))),
                    columns: pick_some(&mut rng, 4),
                    unique: rng.chance(70),
                });
            }
            for _ in 0..rng.below(4) {
                let columns = pick_some(&mut rng, 4);
                let ref_table = rng.pick(&table_names).clone();
                let ref_columns = (0..columns.len())
                    .map(|_| {
                        let len = rng.len();
                        rng.name(len)
                    })
                    .collect();
                t.foreign_keys.push(ForeignKey {
                    name: fk_name(&mut rng),
                    columns,
                    ref_table,
                    ref_columns,
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                });
            }
            if rng.chance(30) {
                t.doc = Some("Doc.\r\nSecond line with trailing spaces   ".into());
            }
            t
        })
        .collect();
    Schema {
        enums,
        tables,
        ..Schema::default()
    }
}

/// A random schema whose foreign keys all resolve: single and composite
/// keys, to primary keys and to unique keys, self-references, several keys
/// to one table, nullable and NOT NULL columns, names of every length (for
/// the layout of the relation methods).
pub fn relations_schema(seed: u64) -> Schema {
    relations_schema_within(seed, 95)
}

/// [`relations_schema`] with names of at most about `max` bytes.
pub fn relations_schema_within(seed: u64, max: usize) -> Schema {
    let mut rng = Rng::new(seed);
    let key_types = [Kind::Uuid, Kind::Int, Kind::Varchar, Kind::BigInt];
    let n = 2 + rng.below(5);
    let mut tables: Vec<Table> = (0..n)
        .map(|t| {
            let len = 1 + rng.below(max);
            let name = format!("R{t}{}", rng.plain_name(len));
            let len = 1 + rng.below(max);
            let pk = format!("p{}", rng.plain_name(len));
            let mut columns = vec![col(&pk, scalar(key_types[rng.below(4)]))];
            let mut pk_cols = vec![pk.clone()];
            if rng.chance(25) {
                let len = 1 + rng.below(40);
                let second = format!("q{}", rng.plain_name(len));
                columns.push(col(&second, scalar(key_types[rng.below(4)])));
                pk_cols.push(second);
                // Now and then a wide key: its filters are combined over
                // several lines.
                if rng.chance(30) {
                    for i in 0..4 + rng.below(4) {
                        let name = format!("w{i}");
                        columns.push(col(&name, scalar(Kind::Int)));
                        pk_cols.push(name);
                    }
                }
            }
            let len = 1 + rng.below(max);
            let code = format!("u{}", rng.plain_name(len));
            let mut code_col = col(&code, scalar(key_types[rng.below(4)]));
            code_col.nullable = rng.chance(40);
            columns.push(code_col);
            let pk_refs: Vec<&str> = pk_cols.iter().map(String::as_str).collect();
            let mut table = table(&name, None, &pk_refs, columns);
            table
                .uniques
                .push(unique(&format!("uq_{t}_{seed}"), &[&code]));
            table
        })
        .collect();
    for ci in 0..n {
        for k in 0..rng.below(4) {
            let pi = rng.below(n);
            let parent = tables[pi].clone();
            let ref_columns: Vec<String> = if rng.chance(70) {
                parent.primary_key.columns.clone()
            } else {
                parent.uniques[0].columns.clone()
            };
            let mut columns = Vec::new();
            for rc in &ref_columns {
                let ty = parent.column(rc).unwrap().ty.clone();
                let len = 1 + rng.below(max);
                let mut c = col(&format!("f{k}{}", rng.plain_name(len)), ty);
                c.nullable = rng.chance(50);
                columns.push(c.name.clone());
                tables[ci].columns.push(c);
            }
            let fk_len = rng.len();
            tables[ci].foreign_keys.push(ForeignKey {
                name: format!("fk_{}", rng.name(fk_len)),
                columns,
                ref_table: parent.name.clone(),
                ref_columns,
                on_delete: ReferentialAction::NoAction,
                on_update: ReferentialAction::NoAction,
            });
        }
    }
    Schema {
        tables,
        ..Schema::default()
    }
}

/// Relation naming cases: self-references, two keys to one table, names
/// that clash with fields, the derive's methods and keywords, a foreign key
/// to a unique (not primary) key, a nullable referenced column.
pub fn relation_names_schema() -> Schema {
    let uuid = || scalar(Kind::Uuid);
    let city = table(
        "City",
        None,
        &["cityId"],
        vec![
            col("cityId", uuid()),
            opt(col("locode", scalar(Kind::Varchar))),
        ],
    );
    let mut city = city;
    city.uniques.push(unique("uq_City_locode", &["locode"]));

    // Two keys to Person (itself) and two to City.
    let mut person = table(
        "Person",
        None,
        &["personId"],
        vec![
            col("personId", uuid()),
            opt(col("managerId", uuid())),
            opt(col("mentorId", uuid())),
            col("homeCityId", uuid()),
            opt(col("workCityId", uuid())),
        ],
    );
    for (column, target, ref_column) in [
        ("managerId", "Person", "personId"),
        ("mentorId", "Person", "personId"),
        ("homeCityId", "City", "cityId"),
        ("workCityId", "City", "cityId"),
    ] {
        person.foreign_keys.push(fk(
            &format!("fk_Person_{column}_{target}"),
            &[column],
            target,
            &[ref_column],
        ));
    }

    // `list`, `type` and `city` (a field) as relation names; a key to a
    // unique column.
    let list = table("List", None, &["listId"], vec![col("listId", uuid())]);
    let kind = table("Type", None, &["typeId"], vec![col("typeId", uuid())]);
    let mut item = table(
        "Item",
        None,
        &["itemId"],
        vec![
            col("itemId", uuid()),
            col("listId", uuid()),
            opt(col("typeId", uuid())),
            opt(col("locode", scalar(Kind::Varchar))),
            opt(col("city", scalar(Kind::Text))),
        ],
    );
    item.foreign_keys
        .push(fk("fk_Item_listId_List", &["listId"], "List", &["listId"]));
    item.foreign_keys
        .push(fk("fk_Item_typeId_Type", &["typeId"], "Type", &["typeId"]));
    item.foreign_keys
        .push(fk("fk_Item_locode_City", &["locode"], "City", &["locode"]));
    // `Item`'s reverse relation on `List` would be `items`; a field takes it.
    let mut list = list;
    list.columns.push(opt(col("items", scalar(Kind::Int))));

    Schema {
        tables: vec![city, person, list, kind, item],
        ..Schema::default()
    }
}
