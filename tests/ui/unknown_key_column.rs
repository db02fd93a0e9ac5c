#[derive(nzc::NzcModel)]
#[nzc(unique(name = "uq_Stat_cityId", columns("cityId", "yaer")))]
#[nzc(foreign_key(columns("cityId"), references = "City", ref_columns("cityId", "year")))]
pub struct Stat {
    #[nzc(primary_key)]
    pub id: uuid::Uuid,
    #[nzc(column = "cityId", references = "City")]
    pub city_id: Option<uuid::Uuid>,
    pub year: i32,
}

fn main() {}
