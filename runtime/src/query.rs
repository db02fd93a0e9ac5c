//! The typed filter builder: [`Column`] constants (one per field, generated
//! by the derive), the [`Expr`]essions built from them, and [`Query`].
//!
//! ```no_run
//! # #[derive(nzc::NzcModel)]
//! # pub struct City {
//! #     #[nzc(primary_key)]
//! #     pub id: uuid::Uuid,
//! #     #[nzc(column = "cityName")]
//! #     pub city_name: String,
//! #     pub country: String,
//! #     pub locode: Option<String>,
//! # }
//! # async fn example(client: &tokio_postgres::Client) -> nzc::Result<()> {
//! let cities = City::query()
//!     .filter(City::COUNTRY.eq("FR").and(City::LOCODE.is_not_null()))
//!     .order_by(City::CITY_NAME.asc())
//!     .limit(10)
//!     .all(client)
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Types are checked at compile time: a column of field type `T` is compared
//! with values that are [`IntoParam<T>`] (a `T`, a `&T`, a `&str` for text,
//! and a bare `T` for an `Option<T>` column); a column of one model cannot
//! filter another model's query; `like` needs a text column and `is_null` a
//! nullable one.
//!
//! # NULL
//!
//! Comparisons follow SQL, where NULL compares with nothing: `ne("x")`,
//! `lt(…)`, … never match a row whose column is NULL. `eq(None)` and
//! `ne(None)` are the exceptions and mean `IS NULL` / `IS NOT NULL`; a `None`
//! in `in_list` also matches NULL.
//!
//! # SQL
//!
//! Every value is a bound parameter (typed from the column's Rust type) and
//! every identifier is quoted. The statement goes unnamed in one round trip
//! (tokio-postgres `query_typed`), see [`GenericClient`].

use std::fmt;
use std::marker::PhantomData;

use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};

use crate::client::GenericClient;
use crate::ops::{self, push_ident, Statements};
use crate::value::{IntoParam, Nullable, Param, SqlType, TextType};
use crate::{Error, Model};

/// A column of model `M` whose field type is `T` (e.g.
/// `Column<City, Option<String>>`): the derive generates one constant per
/// field, named after the field in SCREAMING_SNAKE_CASE (`City::CITY_NAME`).
pub struct Column<M, T> {
    name: &'static str,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Column<M, T> {
    /// The column named `name` (as in SQL, unquoted).
    pub const fn new(name: &'static str) -> Self {
        Column {
            name,
            _marker: PhantomData,
        }
    }

    /// The column's name (as in SQL, unquoted).
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Column<M, T> {}

impl<M, T> fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({:?})", self.name)
    }
}

impl<M, T> PartialEq for Column<M, T> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<M, T> Eq for Column<M, T> {}

impl<M: Model, T: SqlType> Column<M, T> {
    fn compare(self, op: &'static str, value: Param) -> Expr<M> {
        Expr::new(Node::Compare {
            column: self.name,
            op,
            value,
        })
    }

    /// `column = value`; with `None`, `column IS NULL`.
    pub fn eq(self, value: impl IntoParam<T>) -> Expr<M> {
        let value = value.into_param();
        if value.is_null() {
            Expr::new(Node::Null {
                column: self.name,
                negated: false,
            })
        } else {
            self.compare("=", value)
        }
    }

    /// `column <> value` (never true for a NULL column); with `None`,
    /// `column IS NOT NULL`.
    pub fn ne(self, value: impl IntoParam<T>) -> Expr<M> {
        let value = value.into_param();
        if value.is_null() {
            Expr::new(Node::Null {
                column: self.name,
                negated: true,
            })
        } else {
            self.compare("<>", value)
        }
    }

    /// `column < value`.
    pub fn lt(self, value: impl IntoParam<T>) -> Expr<M> {
        self.compare("<", value.into_param())
    }

    /// `column <= value`.
    pub fn le(self, value: impl IntoParam<T>) -> Expr<M> {
        self.compare("<=", value.into_param())
    }

    /// `column > value`.
    pub fn gt(self, value: impl IntoParam<T>) -> Expr<M> {
        self.compare(">", value.into_param())
    }

    /// `column >= value`.
    pub fn ge(self, value: impl IntoParam<T>) -> Expr<M> {
        self.compare(">=", value.into_param())
    }

    /// `column IN (v1, v2, …)`, one parameter per value; a `None` among the
    /// values also matches NULL. An empty list matches nothing.
    pub fn in_list<V: IntoParam<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        let mut or_null = false;
        let values = values
            .into_iter()
            .map(IntoParam::into_param)
            .filter(|p| {
                or_null |= p.is_null();
                !p.is_null()
            })
            .collect();
        Expr::new(Node::In {
            column: self.name,
            values,
            or_null,
        })
    }

    /// `column IS NULL` (a nullable column only).
    pub fn is_null(self) -> Expr<M>
    where
        T: Nullable,
    {
        Expr::new(Node::Null {
            column: self.name,
            negated: false,
        })
    }

    /// `column IS NOT NULL` (a nullable column only).
    pub fn is_not_null(self) -> Expr<M>
    where
        T: Nullable,
    {
        Expr::new(Node::Null {
            column: self.name,
            negated: true,
        })
    }

    /// `column LIKE pattern` (a text column only). `%` and `_` are wildcards,
    /// `\` escapes them.
    pub fn like(self, pattern: impl Into<String>) -> Expr<M>
    where
        T: TextType,
    {
        self.compare("LIKE", Param::new(pattern.into()))
    }

    /// `column ILIKE pattern`: [`Column::like`] ignoring case.
    pub fn ilike(self, pattern: impl Into<String>) -> Expr<M>
    where
        T: TextType,
    {
        self.compare("ILIKE", Param::new(pattern.into()))
    }

    /// Ascending order on this column (NULLs last).
    pub fn asc(self) -> Order<M> {
        Order {
            column: self.name,
            descending: false,
            _marker: PhantomData,
        }
    }

    /// Descending order on this column (NULLs first).
    pub fn desc(self) -> Order<M> {
        Order {
            column: self.name,
            descending: true,
            _marker: PhantomData,
        }
    }
}

/// A condition on rows of model `M`, built from its [`Column`]s and combined
/// with [`Expr::and`], [`Expr::or`] and [`Expr::not`].
pub struct Expr<M> {
    node: Node,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Expr<M> {
    fn new(node: Node) -> Self {
        Expr {
            node,
            _marker: PhantomData,
        }
    }

    /// Both conditions.
    pub fn and(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::combine(Junction::And, self.node, other.node))
    }

    /// Either condition.
    pub fn or(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::combine(Junction::Or, self.node, other.node))
    }

    /// The negation (SQL `NOT`: a condition that is NULL stays unmatched).
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<M> {
        Expr::new(Node::Not(Box::new(self.node)))
    }

    /// All of `exprs` (true if there is none).
    pub fn all(exprs: impl IntoIterator<Item = Expr<M>>) -> Expr<M> {
        Expr::new(Node::Junction(
            Junction::And,
            exprs.into_iter().map(|e| e.node).collect(),
        ))
    }

    /// Any of `exprs` (false if there is none).
    pub fn any(exprs: impl IntoIterator<Item = Expr<M>>) -> Expr<M> {
        Expr::new(Node::Junction(
            Junction::Or,
            exprs.into_iter().map(|e| e.node).collect(),
        ))
    }

    /// The condition as SQL with `$n` placeholders, and its parameters.
    pub fn to_sql(&self) -> (String, Vec<&Param>) {
        let mut w = Writer::default();
        self.node.write(&mut w);
        (w.sql, w.params)
    }
}

impl<M> fmt::Debug for Expr<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sql, params) = self.to_sql();
        f.debug_struct("Expr")
            .field("sql", &sql)
            .field("params", &params)
            .finish()
    }
}

/// An `ORDER BY` key of model `M`: [`Column::asc`] / [`Column::desc`].
pub struct Order<M> {
    column: &'static str,
    descending: bool,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Order<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Order<M> {}

impl<M> fmt::Debug for Order<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = if self.descending { "DESC" } else { "ASC" };
        write!(f, "Order({:?} {dir})", self.column)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Junction {
    And,
    Or,
}

enum Node {
    Compare {
        column: &'static str,
        op: &'static str,
        value: Param,
    },
    Null {
        column: &'static str,
        negated: bool,
    },
    In {
        column: &'static str,
        values: Vec<Param>,
        or_null: bool,
    },
    Junction(Junction, Vec<Node>),
    Not(Box<Node>),
}

impl Node {
    /// `a AND b`, flattening nested ANDs (and ORs for OR).
    fn combine(j: Junction, a: Node, b: Node) -> Node {
        let mut items = Vec::new();
        for n in [a, b] {
            match n {
                Node::Junction(k, inner) if k == j => items.extend(inner),
                other => items.push(other),
            }
        }
        Node::Junction(j, items)
    }

    fn write<'a>(&'a self, w: &mut Writer<'a>) {
        match self {
            Node::Compare { column, op, value } => {
                push_ident(&mut w.sql, column);
                w.sql.push(' ');
                w.sql.push_str(op);
                w.sql.push(' ');
                w.param(value);
            }
            Node::Null { column, negated } => {
                push_ident(&mut w.sql, column);
                w.sql
                    .push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::In {
                column,
                values,
                or_null,
            } => {
                let parts = usize::from(!values.is_empty()) + usize::from(*or_null);
                if parts == 0 {
                    w.sql.push_str("FALSE");
                    return;
                }
                if parts > 1 {
                    w.sql.push('(');
                }
                if !values.is_empty() {
                    push_ident(&mut w.sql, column);
                    w.sql.push_str(" IN (");
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            w.sql.push_str(", ");
                        }
                        w.param(v);
                    }
                    w.sql.push(')');
                }
                if *or_null {
                    if !values.is_empty() {
                        w.sql.push_str(" OR ");
                    }
                    push_ident(&mut w.sql, column);
                    w.sql.push_str(" IS NULL");
                }
                if parts > 1 {
                    w.sql.push(')');
                }
            }
            Node::Junction(j, items) => {
                if items.is_empty() {
                    w.sql
                        .push_str(if *j == Junction::And { "TRUE" } else { "FALSE" });
                    return;
                }
                let sep = if *j == Junction::And { " AND " } else { " OR " };
                w.sql.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        w.sql.push_str(sep);
                    }
                    item.write(w);
                }
                w.sql.push(')');
            }
            Node::Not(inner) => {
                w.sql.push_str("NOT (");
                inner.write(w);
                w.sql.push(')');
            }
        }
    }
}

/// SQL text and the parameters it refers to, numbered in order.
#[derive(Default)]
struct Writer<'a> {
    sql: String,
    params: Vec<&'a Param>,
    /// Parameters that are not [`Param`]s (LIMIT / OFFSET).
    extra: Vec<(i64, Type)>,
}

impl<'a> Writer<'a> {
    fn param(&mut self, p: &'a Param) {
        self.params.push(p);
        self.placeholder();
    }

    fn placeholder(&mut self) {
        let n = self.params.len() + self.extra.len();
        self.sql.push('$');
        self.sql.push_str(&n.to_string());
    }

    /// Parameters in placeholder order. LIMIT / OFFSET come last, after
    /// every filter parameter, which is how [`Query`] writes them.
    fn typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.params
            .iter()
            .map(|p| (p.value(), p.sql_type().clone()))
            .chain(
                self.extra
                    .iter()
                    .map(|(v, t)| (v as &(dyn ToSql + Sync), t.clone())),
            )
            .collect()
    }

    fn bigint(&mut self, value: i64) {
        self.extra.push((value, Type::INT8));
        self.placeholder();
    }
}

/// A query over model `M`'s table: [`Model::query`] (or the derive's
/// inherent `M::query()`), refined with [`Query::filter`],
/// [`Query::order_by`], [`Query::limit`] and [`Query::offset`], run with
/// [`Query::all`], [`Query::first`], [`Query::count`] or [`Query::delete`].
///
/// Rows come in `order_by` order, then by primary key, so pages taken with
/// `limit` / `offset` are stable.
pub struct Query<M> {
    filter: Option<Node>,
    order: Vec<Order<M>>,
    limit: Option<i64>,
    offset: Option<i64>,
    /// [`Query::after`]: every column's value of that row, encoded.
    after: Option<Vec<Param>>,
}

impl<M> fmt::Debug for Query<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("after", &self.after.is_some())
            .finish_non_exhaustive()
    }
}

impl<M: Model> Default for Query<M> {
    fn default() -> Self {
        Query::new()
    }
}

/// What a [`Query`] is rendered for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Select { limit_one: bool },
    Count,
    Delete,
}

impl<M: Model> Query<M> {
    /// Every row of the table.
    pub fn new() -> Self {
        Query {
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            after: None,
        }
    }

    /// Keeps the rows matching `expr` (and any earlier filter).
    pub fn filter(mut self, expr: Expr<M>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(prev) => Node::combine(Junction::And, prev, expr.node),
            None => expr.node,
        });
        self
    }

    /// Orders by `order` (after any earlier `order_by` key).
    pub fn order_by(mut self, order: Order<M>) -> Self {
        self.order.push(order);
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(i64::try_from(n).unwrap_or(i64::MAX));
        self
    }

    /// Only the rows strictly after `row` in this query's order: its
    /// `order_by` keys, then the primary key (ascending) as the tie-breaker,
    /// which makes the order total. With [`Query::limit`] this walks a table
    /// page by page without `OFFSET` (keyset pagination): each page starts
    /// after the last row of the previous one, so rows inserted or deleted
    /// meanwhile never shift a page, and an index on the order columns serves
    /// every page alike.
    ///
    /// ```no_run
    /// # #[derive(Debug, Clone, nzc::NzcModel)]
    /// # pub struct City {
    /// #     #[nzc(primary_key)]
    /// #     pub id: uuid::Uuid,
    /// #     #[nzc(column = "cityName")]
    /// #     pub city_name: String,
    /// # }
    /// # async fn example(db: &tokio_postgres::Client) -> nzc::Result<()> {
    /// let mut page = City::query().order_by(City::CITY_NAME.asc()).limit(100).all(db).await?;
    /// while let Some(last) = page.last() {
    ///     // … use `page` …
    ///     page = City::query()
    ///         .order_by(City::CITY_NAME.asc())
    ///         .after(last)
    ///         .limit(100)
    ///         .all(db)
    ///         .await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The row's values are taken now; the condition is written for the
    /// order the query has when it runs. NULLs sort as PostgreSQL sorts
    /// them by default, last in ascending and first in descending order, and
    /// the condition follows that: after a row whose ascending key is NULL
    /// come only rows whose key is NULL too (and a greater tie-breaker).
    /// When every key has the same direction and no key column is nullable,
    /// the condition is one row comparison (`("a", "id") > ($1, $2)`, which
    /// an index on `("a", "id")` serves); otherwise it is spelled out per key.
    /// Combine with `filter` freely; an `offset` still applies after it.
    pub fn after(mut self, row: &M) -> Self {
        let s: &Statements = M::__statements();
        let values = row.__values();
        self.after = Some(
            values
                .iter()
                .zip(&s.types)
                .map(|(value, ty)| Encoded::param(*value, ty))
                .collect(),
        );
        self
    }

    /// The matching rows as a stream, each decoded as it arrives: memory
    /// stays bounded by what is in flight, however many rows match (the
    /// statement runs once; tokio-postgres reads the socket only as fast as
    /// the stream is polled). Nothing is sent until the stream is first
    /// polled. While it is being read, other statements on the same
    /// connection wait behind it.
    ///
    /// ```no_run
    /// # #[derive(Debug, Clone, nzc::NzcModel)]
    /// # pub struct City {
    /// #     #[nzc(primary_key)]
    /// #     pub id: uuid::Uuid,
    /// # }
    /// # async fn example(db: &tokio_postgres::Client) -> nzc::Result<()> {
    /// use nzc::futures_util::TryStreamExt;
    ///
    /// let query = City::query();
    /// let mut rows = std::pin::pin!(query.stream(db));
    /// while let Some(city) = rows.try_next().await? {
    ///     println!("{city:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream<'a>(
        &'a self,
        db: &'a impl GenericClient,
    ) -> impl futures_util::Stream<Item = Result<M, Error>> + Send + 'a
    where
        M: Send,
    {
        use futures_util::{StreamExt, TryStreamExt};
        let w = self.render(Target::Select { limit_one: false });
        let rows = async move {
            let rows = db.client().query_typed_raw(&w.sql, w.typed()).await?;
            Ok::<_, Error>(
                rows.map(|row| row.map_err(Error::from).and_then(|row| M::from_row(&row))),
            )
        };
        futures_util::stream::once(rows).try_flatten()
    }

    /// The `SELECT` that [`Query::all`] runs, with `$n` placeholders.
    pub fn to_sql(&self) -> String {
        self.render(Target::Select { limit_one: false }).sql
    }

    /// The matching rows.
    pub async fn all(&self, db: &impl GenericClient) -> Result<Vec<M>, Error> {
        let w = self.render(Target::Select { limit_one: false });
        let rows = db.client().query_typed(&w.sql, &w.typed()).await?;
        ops::rows_into(rows)
    }

    /// The first matching row, if any.
    pub async fn first(&self, db: &impl GenericClient) -> Result<Option<M>, Error> {
        let w = self.render(Target::Select { limit_one: true });
        let row = db.client().query_typed_opt(&w.sql, &w.typed()).await?;
        row.as_ref().map(M::from_row).transpose()
    }

    /// The number of matching rows (within `limit` / `offset`, if set).
    pub async fn count(&self, db: &impl GenericClient) -> Result<u64, Error> {
        let w = self.render(Target::Count);
        let row = db.client().query_typed_one(&w.sql, &w.typed()).await?;
        let n: i64 = row.try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Deletes the matching rows (within `order_by` / `limit` / `offset`, if
    /// set); returns how many.
    pub async fn delete(&self, db: &impl GenericClient) -> Result<u64, Error> {
        let w = self.render(Target::Delete);
        Ok(db.client().execute_typed(&w.sql, &w.typed()).await?)
    }

    fn render(&self, target: Target) -> Writer<'_> {
        let s: &Statements = M::__statements();
        let mut w = Writer::default();
        let windowed = self.limit.is_some() || self.offset.is_some();
        match target {
            Target::Select { .. } => w.sql.push_str(&s.select),
            Target::Count if windowed => {
                w.sql.push_str("SELECT count(*) FROM (SELECT 1 FROM ");
                w.sql.push_str(&s.table);
            }
            Target::Count => {
                w.sql.push_str("SELECT count(*) FROM ");
                w.sql.push_str(&s.table);
            }
            Target::Delete => {
                w.sql.push_str("DELETE FROM ");
                w.sql.push_str(&s.table);
                if windowed {
                    // DELETE has no LIMIT: delete the keys of the window.
                    let key =
                        s.pk.iter()
                            .map(|&i| s.columns[i].as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                    w.sql
                        .push_str(&format!(" WHERE ({key}) IN (SELECT {key} FROM "));
                    w.sql.push_str(&s.table);
                }
            }
        }
        match (&self.filter, &self.after) {
            (Some(filter), Some(after)) => {
                w.sql.push_str(" WHERE ");
                filter.write(&mut w);
                w.sql.push_str(" AND ");
                self.write_after(&mut w, s, after);
            }
            (Some(filter), None) => {
                w.sql.push_str(" WHERE ");
                filter.write(&mut w);
            }
            (None, Some(after)) => {
                w.sql.push_str(" WHERE ");
                self.write_after(&mut w, s, after);
            }
            (None, None) => {}
        }
        let limit_one = target == Target::Select { limit_one: true };
        if matches!(target, Target::Select { .. }) || windowed {
            self.write_order(&mut w, s);
        }
        let limit = match (limit_one, self.limit) {
            (true, Some(n)) => Some(n.min(1)),
            (true, None) => Some(1),
            (false, n) => n,
        };
        if matches!(target, Target::Select { .. }) || windowed {
            if let Some(n) = limit {
                w.sql.push_str(" LIMIT ");
                w.bigint(n);
            }
            if let Some(n) = self.offset {
                w.sql.push_str(" OFFSET ");
                w.bigint(n);
            }
        }
        match target {
            Target::Count if windowed => w.sql.push_str(") AS w"),
            Target::Delete if windowed => w.sql.push(')'),
            _ => {}
        }
        w
    }

    /// The sort keys: (column index, descending): the `order_by` keys (the
    /// first of each column), then the primary key columns not among them.
    fn keys(&self, s: &Statements) -> Vec<(usize, bool)> {
        let mut keys: Vec<(usize, bool)> = Vec::new();
        for o in &self.order {
            let quoted = ops::quote_ident(o.column);
            if let Some(i) = s.columns.iter().position(|c| *c == quoted) {
                if !keys.iter().any(|&(k, _)| k == i) {
                    keys.push((i, o.descending));
                }
            }
        }
        for &i in &s.pk {
            if !keys.iter().any(|&(k, _)| k == i) {
                keys.push((i, false));
            }
        }
        keys
    }

    /// The condition of [`Query::after`]: the rows after `after` in the
    /// order of [`Query::keys`].
    fn write_after<'a>(&self, w: &mut Writer<'a>, s: &Statements, after: &'a [Param]) {
        let keys = self.keys(s);
        let column = |w: &mut Writer<'_>, i: usize| {
            w.sql.push_str(&s.table);
            w.sql.push('.');
            w.sql.push_str(&s.columns[i]);
        };
        let descending = keys[0].1;
        let uniform = keys
            .iter()
            .all(|&(i, d)| d == descending && !s.nullable[i] && !after[i].is_null());
        if uniform {
            // `(a, b) > ($1, $2)`: one row comparison.
            w.sql.push('(');
            for (n, &(i, _)) in keys.iter().enumerate() {
                if n > 0 {
                    w.sql.push_str(", ");
                }
                column(w, i);
            }
            w.sql.push_str(if descending { ") < (" } else { ") > (" });
            for (n, &(i, _)) in keys.iter().enumerate() {
                if n > 0 {
                    w.sql.push_str(", ");
                }
                w.param(&after[i]);
            }
            w.sql.push(')');
            return;
        }
        // (k1 after v1) OR (k1 = v1 AND k2 after v2) OR …, with NULLs last
        // in ascending and first in descending order.
        let mut terms = 0;
        w.sql.push('(');
        for (n, &(i, desc)) in keys.iter().enumerate() {
            let value = &after[i];
            // Nothing sorts after a NULL ascending key but NULLs (equal).
            if value.is_null() && !desc {
                continue;
            }
            if terms > 0 {
                w.sql.push_str(" OR ");
            }
            terms += 1;
            w.sql.push('(');
            for &(j, _) in &keys[..n] {
                column(w, j);
                if after[j].is_null() {
                    w.sql.push_str(" IS NULL AND ");
                } else {
                    w.sql.push_str(" = ");
                    w.param(&after[j]);
                    w.sql.push_str(" AND ");
                }
            }
            if value.is_null() {
                // Descending: every non-NULL value comes after NULL.
                column(w, i);
                w.sql.push_str(" IS NOT NULL");
            } else if desc {
                column(w, i);
                w.sql.push_str(" < ");
                w.param(value);
            } else if s.nullable[i] {
                w.sql.push('(');
                column(w, i);
                w.sql.push_str(" > ");
                w.param(value);
                w.sql.push_str(" OR ");
                column(w, i);
                w.sql.push_str(" IS NULL)");
            } else {
                column(w, i);
                w.sql.push_str(" > ");
                w.param(value);
            }
            w.sql.push(')');
        }
        if terms == 0 {
            w.sql.push_str("FALSE");
        }
        w.sql.push(')');
    }

    /// `ORDER BY` the keys, then the primary key columns not among them.
    fn write_order(&self, w: &mut Writer<'_>, s: &Statements) {
        w.sql.push_str(" ORDER BY ");
        let mut first = true;
        let mut seen: Vec<&str> = Vec::new();
        for o in &self.order {
            if !first {
                w.sql.push_str(", ");
            }
            first = false;
            // Qualified: a bare name would be the output column, which for
            // an enum is its text.
            w.sql.push_str(&s.table);
            w.sql.push('.');
            push_ident(&mut w.sql, o.column);
            w.sql.push_str(if o.descending { " DESC" } else { " ASC" });
            seen.push(o.column);
        }
        let mut quoted_seen: Vec<String> = seen.iter().map(|c| ops::quote_ident(c)).collect();
        for &i in &s.pk {
            let c = &s.columns[i];
            if quoted_seen.contains(c) {
                continue;
            }
            if !first {
                w.sql.push_str(", ");
            }
            first = false;
            w.sql.push_str(&s.table);
            w.sql.push('.');
            w.sql.push_str(c);
            quoted_seen.push(c.clone());
        }
    }
}

/// A field value encoded when [`Query::after`] takes it (the row is not
/// kept), sent as it was encoded; an encoding error is reported when the
/// query is bound.
#[derive(Debug)]
struct Encoded(Result<Option<Vec<u8>>, String>);

impl Encoded {
    fn param(value: &(dyn ToSql + Sync), ty: &Type) -> Param {
        let mut buf = bytes::BytesMut::new();
        let encoded = match value.to_sql_checked(ty, &mut buf) {
            Ok(IsNull::Yes) => Ok(None),
            Ok(IsNull::No) => Ok(Some(buf.to_vec())),
            Err(e) => Err(e.to_string()),
        };
        Param {
            null: matches!(encoded, Ok(None)),
            ty: ty.clone(),
            value: Box::new(Encoded(encoded)),
        }
    }
}

impl ToSql for Encoded {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match &self.0 {
            Ok(Some(bytes)) => {
                out.extend_from_slice(bytes);
                Ok(IsNull::No)
            }
            Ok(None) => Ok(IsNull::Yes),
            Err(e) => Err(e.clone().into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}
