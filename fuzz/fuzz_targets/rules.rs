//! Fuzz target `rules`: the body is `vaglio::fuzzing::rules`, which the
//! integration test `fuzz_replay` also runs on the seeds and regressions.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vaglio::fuzzing::rules(data));
