#[derive(nzc::NzcModel)]
#[nzc(primary_key("cityId", "year"))]
pub struct CityYear {
    #[nzc(primary_key, column = "cityId")]
    pub city_id: uuid::Uuid,
    pub year: i32,
}

fn main() {}
