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

/* Writes 'data' to 'path' through a temporary file and rename(2); a path
 * that names a device or a FIFO (/dev/null) is written in place instead.
 * Returns 0, or -1 with errno-based text in the diagnostics. */
int gp_file_write_atomic(const char *path, const char *data, size_t len,
                         struct gp_diags *d);

struct gp_out_file {
    const char *name;           /* a plain file name, no '/' */
    const char *data;
    size_t len;
};

/* Writes n files into 'dir' as one unit. When 'dir' does not exist, the
 * files go into a new sibling directory that is renamed to 'dir' once all
 * are complete (mode 0777 & ~umask), so a failure leaves no directory.
 * When it exists, every file is first written beside its target under a
 * temporary name, and only when all are complete are they renamed into
 * place; a failure removes the temporary files and leaves the old ones
 * (a target that is a directory is found before any rename; only a file
 * system failing between two renames could leave a mix).
 * The parent of 'dir' must exist. Returns 0, or -1 with an error in 'd'. */
int gp_files_write_atomic(const char *dir, const struct gp_out_file *f,
                          size_t n, struct gp_diags *d);

#endif
