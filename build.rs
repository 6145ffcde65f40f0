//! Gives the shared library a SONAME, so that programs linked against it
//! record `libcloudconnexa.so.<major>` and keep working across compatible
//! upgrades, as installed C libraries are expected to.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "linux" && target_os != "android" && !target_os.ends_with("bsd") {
        return;
    }

    let soname = soname();
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    link_soname_in_profile_dir(&soname);
}

/// `libcloudconnexa.so.<major>`; while the major version is 0 every minor
/// release may break the ABI, yet the 0.y convention keeps `.so.0`, so the
/// version bump alone decides compatibility.
fn soname() -> String {
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    format!("libcloudconnexa.so.{major}")
}

/// Programs linked in the source tree (`-L target/debug`) record the SONAME
/// and look for that file at run time, so it must sit next to the library
/// cargo builds there. The profile directory is three levels above OUT_DIR.
fn link_soname_in_profile_dir(soname: &str) {
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let Some(profile_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join(soname);
    if link.symlink_metadata().is_ok() {
        return;
    }

    #[cfg(unix)]
    if let Err(err) = std::os::unix::fs::symlink("libcloudconnexa.so", &link) {
        println!("cargo:warning=could not create {}: {err}", link.display());
    }
}
