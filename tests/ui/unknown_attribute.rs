#[derive(nzc::NzcModel)]
#[nzc(tabel = "City")]
pub struct City {
    #[nzc(primary_key, colum = "cityId")]
    pub city_id: uuid::Uuid,
}

fn main() {}
