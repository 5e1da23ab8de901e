//! The gRPC server: `PermissionService` and `PolicyService` (tonic, from the generated
//! `roles.proto`) answered by [`crate::decide`] over one [`Store`].
//!
//! SQLite is synchronous: each request runs on tokio's blocking pool, holding the one
//! connection for the few indexed reads a decision takes.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

use crate::decide;
use crate::roles::proto;
use crate::roles::proto::permission_service_server::{PermissionService, PermissionServiceServer};
use crate::roles::proto::policy_service_server::{PolicyService, PolicyServiceServer};
use crate::store::Store;

/// Both services over one store.
#[derive(Debug, Clone)]
pub struct Service {
    store: Arc<Mutex<Store>>,
    audit: bool,
}

impl Service {
    /// A service answering from `store`, without audit lines.
    pub fn new(store: Store) -> Self {
        Service { store: Arc::new(Mutex::new(store)), audit: false }
    }

    /// Whether to print one audit line per decision on stderr (who, what, where, the answer
    /// and the assignment or rule that gave it).
    pub fn with_audit(mut self, enabled: bool) -> Self {
        self.audit = enabled;
        self
    }

    /// Runs `answer` with the store on the blocking pool.
    async fn with_store<T, F>(&self, answer: F) -> Result<Response<T>, Status>
    where
        T: Send + 'static,
        F: FnOnce(&Store, decide::Audit<'_>) -> Result<T, Status> + Send + 'static,
    {
        let (store, audit) = (Arc::clone(&self.store), self.audit);
        let task = tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-written row: every request
            // only reads. So a poisoned lock is still a usable store.
            let store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let print = |line: String| eprintln!("audit: {line}");
            answer(&store, if audit { Some(&print) } else { None })
        });
        let answer = task.await.map_err(|e| Status::internal(format!("the request's task failed: {e}")))?;
        answer.map(Response::new)
    }

    /// The tonic router serving both services.
    pub fn router(self) -> tonic::transport::server::Router {
        let service = Arc::new(self);
        tonic::transport::Server::builder()
            .add_service(PermissionServiceServer::from_arc(Arc::clone(&service)))
            .add_service(PolicyServiceServer::from_arc(service))
    }

    /// Serves on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), tonic::transport::Error> {
        self.router().serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown).await
    }
}

#[tonic::async_trait]
impl PermissionService for Service {
    async fn check_permissions(
        &self,
        request: Request<proto::CheckPermissionsRequest>,
    ) -> Result<Response<proto::CheckPermissionsResponse>, Status> {
        let request = request.into_inner();
        self.with_store(move |store, audit| decide::check_permissions(store, &request, audit)).await
    }

    async fn list_permissions(
        &self,
        request: Request<proto::ListPermissionsRequest>,
    ) -> Result<Response<proto::ListPermissionsResponse>, Status> {
        let request = request.into_inner();
        self.with_store(move |store, _| decide::list_permissions(store, &request)).await
    }
}

#[tonic::async_trait]
impl PolicyService for Service {
    async fn check_policy(
        &self,
        request: Request<proto::CheckPolicyRequest>,
    ) -> Result<Response<proto::CheckPolicyResponse>, Status> {
        let request = request.into_inner();
        self.with_store(move |store, audit| decide::check_policy(store, &request, audit)).await
    }
}
