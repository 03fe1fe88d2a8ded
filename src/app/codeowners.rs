//! `ismsbook codeowners`: the generated CODEOWNERS block, printed or written into the
//! repository's CODEOWNERS file (and only the block: other lines are the team's).

use super::{Context, Error};
use crate::checks::codeowners::{LOCATIONS, block, existing_block, find};
use crate::history::History;
use crate::model::handbook::Handbook;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(ctx: &Context, write: bool, out: &mut dyn Write) -> Result<(), Error> {
    let handbook = ctx.handbook()?;
    let history = History::load(&handbook.config);
    if !write {
        let _ = out.write_all(block(&handbook, history.prefix()).as_bytes());
        return Ok(());
    }
    let workdir = history
        .repository()
        .and_then(|r| r.workdir())
        .ok_or_else(|| Error::usage("--write needs a git work tree, and there is none here"))?;
    let path =
        write_block(&handbook, workdir, history.prefix()).map_err(|source| Error::Write {
            path: "CODEOWNERS".to_string(),
            source,
        })?;
    let _ = writeln!(out, "wrote {}", path.display());
    Ok(())
}

/// Writes the block into the CODEOWNERS file (creating `.github/CODEOWNERS` when there
/// is none), leaving every other line as it was. Returns the file written.
pub fn write_block(handbook: &Handbook, workdir: &Path, prefix: &str) -> std::io::Result<PathBuf> {
    let path = find(workdir).unwrap_or_else(|| workdir.join(LOCATIONS[0]));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let wanted = block(handbook, prefix);
    let updated = match existing_block(&text) {
        Some(existing) => text.replacen(existing, &wanted, 1),
        None if text.is_empty() => wanted,
        None => format!("{}\n\n{wanted}", text.trim_end()),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("ismsbook.tmp");
    std::fs::write(&tmp, updated)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}
