// `#[nzc(enum)]` on a type that does not derive NzcEnum: the compiler's
// trait error points at the field's type.
#[derive(Debug)]
pub enum Plain {
    A,
}

#[derive(nzc::NzcModel)]
pub struct City {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    #[nzc(enum)]
    pub plain: Plain,
}

fn main() {}
