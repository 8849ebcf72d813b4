//! The integration tests of otp-server, compiled as one binary.

mod generated_guard;
