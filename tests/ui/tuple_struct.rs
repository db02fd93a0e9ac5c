#[derive(nzc::NzcModel)]
pub struct City(uuid::Uuid, String);

#[derive(nzc::NzcModel)]
pub struct Unit;

#[derive(nzc::NzcModel)]
pub struct Generic<T> {
    #[nzc(primary_key)]
    pub id: i32,
    pub value: Option<T>,
}

fn main() {}
