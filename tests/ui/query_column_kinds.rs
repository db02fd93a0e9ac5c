// `like` needs a text column; `is_null` a nullable one.
#[derive(nzc::NzcModel)]
pub struct City {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    pub name: String,
    pub population: i64,
}

fn main() {
    let _ = City::POPULATION.like("1%");
    let _ = City::NAME.is_null();
}
