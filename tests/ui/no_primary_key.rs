#[derive(nzc::NzcModel)]
pub struct City {
    pub city_id: uuid::Uuid,
    pub name: String,
}

fn main() {}
