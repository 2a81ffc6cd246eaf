//! Fuzz target `dates`: the body is `vaglio::fuzzing::dates`, which the
//! integration test `fuzz_replay` also runs on the seeds and regressions.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vaglio::fuzzing::dates(data));
