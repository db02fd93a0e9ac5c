//! [`GenericClient`]: what the generated methods take as `db`.

use std::collections::HashMap;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use tokio_postgres::types::Type;
use tokio_postgres::{Client, Statement, Transaction};

/// A boxed, `Send` future (what [`GenericClient::prepare_cached`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection, or a transaction on one, that model methods run on.
///
/// Implemented for a tokio-postgres [`Client`] and [`Transaction`]
/// (`tokio_postgres::Transaction`), for references to either, and, with the
/// `deadpool` feature, for deadpool-postgres pooled clients
/// (`deadpool_postgres::Object`, `ClientWrapper`) and their transactions.
///
/// tokio-postgres's own `GenericClient` is sealed, and deadpool-postgres's
/// `Object` does not implement it; hence this trait. It is small: statements
/// always go to [`GenericClient::client`] (a transaction's statements are the
/// connection's statements while it is open), and an implementation that has
/// a per-connection statement cache offers it through
/// [`GenericClient::prepare_cached`].
///
/// # How statements are sent
///
/// Each method sends exactly one statement in one round trip, with every
/// parameter's type given by the Rust field type ([`crate::SqlType`]):
///
/// - With a statement cache (deadpool-postgres, or a plain `Client` wrapped
///   in a [`CachedClient`]), the fixed statements of a
///   model (`get`, `insert`, `update`, …) are prepared once per connection and
///   then only bound and executed: nothing is parsed or planned again.
/// - Without one (a plain `Client` or `Transaction`), they go as an unnamed
///   statement with typed parameters (tokio-postgres `query_typed`: Parse,
///   Bind, Execute and Sync in one message). Same single round trip; the
///   server parses and plans the statement each time, which on a fast
///   network costs about as much again as the round trip for a `get`.
/// - The filter builder ([`crate::Query`]) always uses the unnamed statement:
///   its SQL varies with the filter, and caching every variant would grow the
///   cache without bound.
///
/// [`Transaction`]: tokio_postgres::Transaction
pub trait GenericClient: Sync {
    /// The connection statements are sent on.
    fn client(&self) -> &Client;

    /// `sql`, prepared with parameter types `types`, from this connection's
    /// statement cache; `Ok(None)` if there is no cache (the default), in
    /// which case nzc sends the statement unnamed with typed parameters.
    ///
    /// An implementation must prepare on the same connection as
    /// [`GenericClient::client`].
    fn prepare_cached<'a>(
        &'a self,
        sql: &'a str,
        types: &'a [Type],
    ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
        let _ = (sql, types);
        Box::pin(std::future::ready(Ok(None)))
    }
}

impl GenericClient for Client {
    fn client(&self) -> &Client {
        self
    }
}

impl GenericClient for Transaction<'_> {
    fn client(&self) -> &Client {
        Transaction::client(self)
    }
}

impl<T: GenericClient + ?Sized> GenericClient for &T {
    fn client(&self) -> &Client {
        (**self).client()
    }

    fn prepare_cached<'a>(
        &'a self,
        sql: &'a str,
        types: &'a [Type],
    ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
        (**self).prepare_cached(sql, types)
    }
}

impl<T: GenericClient + ?Sized> GenericClient for &mut T {
    fn client(&self) -> &Client {
        (**self).client()
    }

    fn prepare_cached<'a>(
        &'a self,
        sql: &'a str,
        types: &'a [Type],
    ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
        (**self).prepare_cached(sql, types)
    }
}

/// A tokio-postgres [`Client`] with a per-connection statement cache, for
/// applications without a pool: model methods on it prepare each of their
/// statements once, then only bind and execute them.
///
/// It derefs to the `Client`; [`CachedClient::transaction`] opens a
/// transaction that shares the cache. A cached statement outlives schema
/// changes made on other connections badly (PostgreSQL then refuses it with
/// "cached plan must not change result type"): call
/// [`CachedClient::clear_statement_cache`] after a migration.
///
/// # Connection poolers
///
/// The cache holds **named** prepared statements, which live on one server
/// connection. Behind a pooler in *transaction* mode (PgBouncer, RDS Proxy)
/// consecutive transactions may run on different server connections, so a
/// named statement may be missing there or clash with another client's
/// (`prepared statement "s1" already exists`). That is safe only with
/// PgBouncer 1.21 or later and `max_prepared_statements` set (PgBouncer then
/// tracks named statements itself), or in session mode, or on a direct
/// connection. Otherwise use a plain `Client`: its model methods use the
/// unnamed statement (`query_typed`), which works through any pooler. The
/// same holds for deadpool's statement cache.
#[derive(Debug)]
pub struct CachedClient {
    client: Client,
    cache: Arc<StatementCache>,
}

/// Prepared statements by SQL text (with their parameter types).
#[derive(Debug, Default)]
struct StatementCache {
    statements: Mutex<HashMap<String, (Vec<Type>, Statement)>>,
}

impl StatementCache {
    fn prepare<'a>(
        &'a self,
        client: &'a Client,
        sql: &'a str,
        types: &'a [Type],
    ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
        Box::pin(async move {
            let cached = {
                let map = self
                    .statements
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                map.get(sql)
                    .filter(|(t, _)| t == types)
                    .map(|(_, s)| s.clone())
            };
            if let Some(statement) = cached {
                return Ok(Some(statement));
            }
            let statement = client.prepare_typed(sql, types).await?;
            self.statements
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(sql.to_string(), (types.to_vec(), statement.clone()));
            Ok(Some(statement))
        })
    }

    fn len(&self) -> usize {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn clear(&self) {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl CachedClient {
    /// Wraps `client` with an empty cache.
    pub fn new(client: Client) -> Self {
        CachedClient {
            client,
            cache: Arc::default(),
        }
    }

    /// The wrapped client.
    pub fn into_inner(self) -> Client {
        self.client
    }

    /// Opens a transaction whose model methods use this client's cache.
    pub async fn transaction(&mut self) -> Result<CachedTransaction<'_>, tokio_postgres::Error> {
        Ok(CachedTransaction {
            transaction: self.client.transaction().await?,
            cache: self.cache.clone(),
        })
    }

    /// How many statements are cached.
    pub fn cached_statements(&self) -> usize {
        self.cache.len()
    }

    /// Forgets every cached statement (after a schema change).
    pub fn clear_statement_cache(&self) {
        self.cache.clear();
    }
}

impl Deref for CachedClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for CachedClient {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl GenericClient for CachedClient {
    fn client(&self) -> &Client {
        &self.client
    }

    fn prepare_cached<'a>(
        &'a self,
        sql: &'a str,
        types: &'a [Type],
    ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
        self.cache.prepare(&self.client, sql, types)
    }
}

/// A transaction of a [`CachedClient`], sharing its statement cache. Derefs
/// to the tokio-postgres [`Transaction`]; commit or roll back with
/// [`CachedTransaction::commit`] / [`CachedTransaction::rollback`] (dropping
/// it rolls back).
pub struct CachedTransaction<'a> {
    transaction: Transaction<'a>,
    cache: Arc<StatementCache>,
}

impl std::fmt::Debug for CachedTransaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedTransaction")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl CachedTransaction<'_> {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.transaction.commit().await
    }

    /// Rolls the transaction back.
    pub async fn rollback(self) -> Result<(), tokio_postgres::Error> {
        self.transaction.rollback().await
    }
}

impl<'a> Deref for CachedTransaction<'a> {
    type Target = Transaction<'a>;

    fn deref(&self) -> &Transaction<'a> {
        &self.transaction
    }
}

impl GenericClient for CachedTransaction<'_> {
    fn client(&self) -> &Client {
        self.transaction.client()
    }

    fn prepare_cached<'b>(
        &'b self,
        sql: &'b str,
        types: &'b [Type],
    ) -> BoxFuture<'b, Result<Option<Statement>, tokio_postgres::Error>> {
        self.cache.prepare(self.transaction.client(), sql, types)
    }
}

#[cfg(feature = "deadpool")]
mod deadpool {
    use super::*;

    impl GenericClient for deadpool_postgres::ClientWrapper {
        fn client(&self) -> &Client {
            self
        }

        fn prepare_cached<'a>(
            &'a self,
            sql: &'a str,
            types: &'a [Type],
        ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
            Box::pin(async move { self.prepare_typed_cached(sql, types).await.map(Some) })
        }
    }

    impl GenericClient for deadpool_postgres::Object {
        fn client(&self) -> &Client {
            self
        }

        fn prepare_cached<'a>(
            &'a self,
            sql: &'a str,
            types: &'a [Type],
        ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
            let wrapper: &deadpool_postgres::ClientWrapper = self;
            GenericClient::prepare_cached(wrapper, sql, types)
        }
    }

    impl GenericClient for deadpool_postgres::Transaction<'_> {
        fn client(&self) -> &Client {
            tokio_postgres::Transaction::client(self)
        }

        fn prepare_cached<'a>(
            &'a self,
            sql: &'a str,
            types: &'a [Type],
        ) -> BoxFuture<'a, Result<Option<Statement>, tokio_postgres::Error>> {
            Box::pin(async move { self.prepare_typed_cached(sql, types).await.map(Some) })
        }
    }
}
