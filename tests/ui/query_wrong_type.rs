// A comparison with a value of the wrong Rust type does not compile, and the
// error points at the value.
#[derive(nzc::NzcModel)]
pub struct City {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    pub name: String,
    pub population: i64,
    pub locode: Option<String>,
}

fn main() {
    let _ = City::POPULATION.eq("many");
    let _ = City::NAME.eq(42);
    let _ = City::ID.eq(Some(uuid::Uuid::nil()));
    let _ = City::LOCODE.in_list([1, 2]);
}
