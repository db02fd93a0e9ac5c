// A column of one model cannot filter or order another model's query.
#[derive(nzc::NzcModel)]
pub struct City {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    pub name: String,
}

#[derive(nzc::NzcModel)]
pub struct Town {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    pub name: String,
}

fn main() {
    let _ = City::query().filter(Town::NAME.eq("x"));
    let _ = City::query().order_by(Town::NAME.asc());
}
