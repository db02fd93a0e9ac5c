#[derive(nzc::NzcEnum)]
#[nzc(type_name = "Scope", name = "x")]
pub enum Scope {
    #[nzc(rename = "scope 1")]
    Scope1,
    #[nzc(rename = "scope 1")]
    Scope2,
    Other(String),
}

#[derive(Debug, nzc::NzcEnum)]
#[nzc(type_name = "a_type_name_that_is_much_longer_than_sixty_three_bytes_in_postgres")]
pub enum Long {
    A,
}

#[derive(nzc::NzcEnum)]
pub struct NotAnEnum {
    pub a: i32,
}

fn main() {}
