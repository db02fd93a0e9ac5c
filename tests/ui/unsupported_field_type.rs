use std::collections::HashMap;

#[derive(Debug, Clone, Copy, nzc::NzcEnum)]
pub enum Scope {
    Scope1,
}

#[derive(nzc::NzcModel)]
pub struct City {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    pub tags: HashMap<String, String>,
    pub scores: Vec<i32>,
    pub maybe: Option<Option<i32>>,
    // An enum needs `#[nzc(enum)]`: the derive cannot see that Scope derives NzcEnum.
    pub scope: Scope,
    #[nzc(enum)]
    pub name: String,
}

fn main() {}
