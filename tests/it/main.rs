//! The integration tests of otp-server, compiled as one binary. Each test
//! starts the real server on a free port (`support::TestServer`) and talks
//! HTTP to it.

mod certs;
mod processes;
mod support;

mod attacks;
mod conform;
mod console;
mod contract;
mod coverage;
mod errors;
mod faults;
mod fuzz;
mod generated_guard;
mod kit;
mod layout;
mod log_lines;
mod newcomer;
mod oauth;
mod operations;
mod pages;
mod production;
mod proxy;
mod rao_flow;
mod redis_processes;
mod rotation;
mod sandbox_layer;
mod shutdown;
mod store;
mod telemarketing_flow;
mod tenants;
mod tls;
mod tls_processes;
