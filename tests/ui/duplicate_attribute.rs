#[derive(nzc::NzcModel)]
#[nzc(table = "City")]
#[nzc(table = "Town")]
pub struct City {
    #[nzc(primary_key, column = "cityId", column = "id")]
    pub city_id: uuid::Uuid,
}

fn main() {}
