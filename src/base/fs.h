/* SPDX-License-Identifier: MIT */
/* base/fs.h: reading input files with a size bound, and writing output
 * files atomically (temporary file in the target directory, then rename), so
 * a failed run never leaves a half-written file behind. */
#ifndef GPUPLAN_BASE_FS_H
#define GPUPLAN_BASE_FS_H

#include <stddef.h>

struct gp_arena;
struct gp_diags;

/* Default bound on one input file. */
#define GP_MAX_INPUT_BYTES (32u * 1024u * 1024u)

/* Reads 'path' ("-" is standard input) into the arena, NUL-terminated.
 * Registers the text with the diagnostics sink for caret quotes.
 * OUT: *text, *len. Returns 0, or -1 with an error in 'd'. */
int gp_file_read(const char **text, size_t *len, struct gp_arena *a,
                 const char *path, size_t max_bytes, struct gp_diags *d);

/* A file's bytes, mapped read-only where the file can be mapped (an input
 * of hundreds of megabytes then costs no copy and no fresh memory), read
 * into memory otherwise (standard input, pipes). Not NUL-terminated. */
struct gp_file_map {
    const char *file; /* the name diagnostics use ("<stdin>" for "-") */
    const char *text;
    size_t len;
    void *map_;       /* private: the mapping, or NULL when read */
};

/* Maps or reads 'path' ("-" is standard input), at most max_bytes, and
 * registers the text with the diagnostics sink for caret quotes. The text
 * stays valid until gp_file_unmap(): print the diagnostics first. OUT: *out.
 * Returns 0, or -1 with an error in 'd' (*out is then empty). */
int gp_file_map(struct gp_file_map *out, struct gp_arena *a, const char *path,
                size_t max_bytes, struct gp_diags *d);
/* Releases a mapping; accepts an empty or already released one. */
void gp_file_unmap(struct gp_file_map *m);

/* Writes 'data' to 'path' through a temporary file and rename(2). Refuses
 * (before writing anything) a path that is a symbolic link, a directory or
 * anything but a regular file, and a file this run read as input
 * (gp_file_read with the same sink; compared by device and inode). Returns
 * 0, or -1 with errno-based text in the diagnostics; on failure 'path' is
 * untouched and no temporary file is left. */
int gp_file_write_atomic(const char *path, const char *data, size_t len,
                         struct gp_diags *d);

struct gp_out_file {
    const char *name;           /* a plain file name, no '/' */
    const char *data;
    size_t len;
};

/* Writes n files into 'dir' as one unit: afterwards 'dir' holds all the new
 * files or, on any failure, exactly what it held before.
 * When 'dir' does not exist, the files go into a new sibling directory that
 * is renamed to 'dir' once all are complete (mode 0777 & ~umask), so a
 * failure leaves no directory. When it exists: every target is checked
 * (as gp_file_write_atomic does: no links, directories, special files or
 * inputs), every file is written and synced beside its target under a
 * temporary name, every old file gets a backup (a hard link), and only
 * then are they renamed into place; a rename that fails puts the old files
 * back. 'dir' itself may be a symbolic link to a directory (the user named
 * it). The parent of 'dir' must exist. Returns 0, or -1 with an error in
 * 'd'. */
int gp_files_write_atomic(const char *dir, const struct gp_out_file *f,
                          size_t n, struct gp_diags *d);

/* Fault injection, for tests only: fn is asked before each file system
 * operation ("create", "write", "fsync", "link", "rename", "mkdir") on
 * 'path'; when it returns an errno value (not 0), the operation fails with
 * it. NULL turns it off. */
typedef int (*gp_fs_fault_fn)(const char *op, const char *path, void *ctx);
void gp_fs_set_fault(gp_fs_fault_fn fn, void *ctx);

#endif
