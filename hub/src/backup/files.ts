import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { BackupManifest } from './manifest.js';

/** SHA-256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Flushes a file to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Gives a finished `<name>.part` its final name: readable by its owner only (a backup holds
 * customers' details and, for globals, password hashes), on disk before and after the rename.
 */
export async function finish(partFile: string, finalFile: string): Promise<void> {
  await chmod(partFile, 0o600);
  await fsyncFile(partFile);
  await rename(partFile, finalFile);
  try {
    const dir = await open(path.dirname(finalFile), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // some file systems cannot fsync a directory: the rename is still atomic
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}

/** The manifest written next to a dump: `X.dump` -> `X.manifest.json`. */
export function manifestPathOf(dumpFile: string): string {
  return dumpFile.replace(/(\.dump)?$/, '.manifest.json');
}

/** Reads and validates a manifest; the reason it cannot be used, if so. */
export async function readManifest(
  file: string,
): Promise<{ manifest: BackupManifest } | { problem: string }> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    text = await handle.readFile('utf8').finally(() => handle.close());
  } catch {
    return {
      problem: `its manifest ${path.basename(file)} is missing (the backup did not finish, or it was lost)`,
    };
  }
  try {
    const parsed = BackupManifest.safeParse(JSON.parse(text));
    if (parsed.success) return { manifest: parsed.data };
    return {
      problem: `its manifest ${path.basename(file)} is malformed (${parsed.error.issues[0]?.message})`,
    };
  } catch {
    return { problem: `its manifest ${path.basename(file)} is not JSON` };
  }
}
