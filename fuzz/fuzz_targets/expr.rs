//! Fuzz target `expr`: the body is `vaglio::fuzzing::expr`, which the
//! integration test `fuzz_replay` also runs on the seeds and regressions.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vaglio::fuzzing::expr(data));
