/* SPDX-License-Identifier: MIT */
/* MAP_POPULATE is a Linux extension, outside POSIX. */
#define _DEFAULT_SOURCE

#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"

static struct gp_loc
file_loc(const char *path)
{
    struct gp_loc l = {path, 0, 0, 0};

    return l;
}

int
gp_file_read(const char **text, size_t *len, struct gp_arena *a,
             const char *path, size_t max_bytes, struct gp_diags *d)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = -1;

    if (fd < 0)
        return gp_error_at(d, file_loc(name), "cannot open: %s",
                           strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        gp_error_at(d, file_loc(name), "is a directory, not a file");
        goto out;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (unsigned long long)st.st_size > max_bytes) {
        gp_error_at(d, file_loc(name),
                    "file is too large (%llu bytes; the limit is %zu)",
                    (unsigned long long)st.st_size, max_bytes);
        goto out;
    }
    for (;;) {
        ssize_t r;

        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb;

            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            if (ncap <= n) {
                gp_error_at(d, file_loc(name),
                            "input is too large (more than %zu bytes)",
                            max_bytes);
                goto out;
            }
            nb = realloc(buf, ncap + 1);
            if (!nb) {
                gp_error_at(d, file_loc(name), "out of memory reading file");
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            gp_error_at(d, file_loc(name), "cannot read: %s", strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max_bytes) {
        gp_error_at(d, file_loc(name),
                    "input is too large (more than %zu bytes)", max_bytes);
        goto out;
    }
    {
        char *t = gp_arena_alloc(a, n + 1);

        if (n)
            memcpy(t, buf, n);
        t[n] = '\0';
        *text = t;
        *len = n;
        gp_diags_add_source(d, gp_arena_strdup(a, name), t, n);
    }
    rc = 0;
out:
    free(buf);
    if (fd > 0)
        close(fd);
    return rc;
}

/* Linux maps the whole file at once with MAP_POPULATE: one call instead of
 * a page fault per 4 KiB, which is most of the cost of reading a large
 * export on a virtual machine. Elsewhere pages come in as they are read. */
#ifdef MAP_POPULATE
#define GP_MAP_POPULATE MAP_POPULATE
#else
#define GP_MAP_POPULATE 0
#endif

int
gp_file_map(struct gp_file_map *out, struct gp_arena *a, const char *path,
            size_t max_bytes, struct gp_diags *d)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct stat st;
    void *map;
    int fd;

    memset(out, 0, sizeof(*out));
    out->file = gp_arena_strdup(a, name);
    out->text = "";
    if (strcmp(path, "-") == 0)
        return gp_file_read(&out->text, &out->len, a, path, max_bytes, d);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gp_error_at(d, file_loc(name), "cannot open: %s",
                           strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        /* Directories, pipes and empty files: the reading path says what
         * is wrong, or reads what a pipe gives. */
        close(fd);
        return gp_file_read(&out->text, &out->len, a, path, max_bytes, d);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return gp_error_at(d, file_loc(name),
                           "file is too large (%llu bytes; the limit is %zu)",
                           (unsigned long long)st.st_size, max_bytes);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ,
               MAP_PRIVATE | GP_MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return gp_file_read(&out->text, &out->len, a, path, max_bytes, d);
    /* The whole file is read once, front to back. */
    posix_madvise(map, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
    out->map_ = map;
    out->text = map;
    out->len = (size_t)st.st_size;
    gp_diags_add_source(d, out->file, out->text, out->len);
    return 0;
}

void
gp_file_unmap(struct gp_file_map *m)
{
    if (m->map_)
        munmap(m->map_, m->len);
    m->map_ = NULL;
    m->text = "";
    m->len = 0;
}

/* Writes all of 'data' to 'fd'. Returns 0, or -1 with errno set. */
static int
write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Writes all of 'data' to 'fd', then syncs and closes it. Returns 0, or
 * -1 with errno set (fd closed either way). */
static int
write_all_close(int fd, const char *data, size_t len)
{
    int e;

    if (write_all(fd, data, len) < 0 || fchmod(fd, 0644) < 0 ||
        fsync(fd) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

/* For targets that are not regular files (/dev/null, a FIFO,
 * /dev/stdout): renaming over them would replace the device with a file,
 * and changing their mode or syncing them is not ours to do. */
static int
write_in_place(const char *path, const char *data, size_t len,
               struct gp_diags *d)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), e;

    if (fd < 0)
        return gp_error_at(d, file_loc(path), "cannot open for writing: %s",
                           strerror(errno));
    if (write_all(fd, data, len) < 0) {
        e = errno;
        close(fd);
        return gp_error_at(d, file_loc(path), "cannot write: %s",
                           strerror(e));
    }
    if (close(fd) < 0)
        return gp_error_at(d, file_loc(path), "cannot write: %s",
                           strerror(errno));
    return 0;
}

/* Creates a temporary file beside 'path' (".<name>.tmp.XXXXXX") holding
 * 'data'. OUT: tmp, its name. Returns 0, or -1 with an error in 'd'. */
static int
stage_file(struct gp_strbuf *tmp, const char *path, const char *data,
           size_t len, struct gp_diags *d)
{
    const char *slash = strrchr(path, '/');
    int fd;

    /* The temporary file sits beside the target so rename(2) stays within
     * one file system and is atomic. */
    gp_strbuf_reset(tmp);
    if (slash)
        gp_strbuf_add(tmp, path, (size_t)(slash - path) + 1);
    gp_strbuf_printf(tmp, ".%s.tmp.XXXXXX", slash ? slash + 1 : path);
    fd = mkstemp(tmp->buf);
    if (fd < 0)
        return gp_error_at(d, file_loc(path), "cannot create output file: %s",
                           strerror(errno));
    if (write_all_close(fd, data, len) < 0) {
        gp_error_at(d, file_loc(path), "cannot write output file: %s",
                    strerror(errno));
        unlink(tmp->buf);
        return -1;
    }
    return 0;
}

int
gp_file_write_atomic(const char *path, const char *data, size_t len,
                     struct gp_diags *d)
{
    struct gp_strbuf tmp = GP_STRBUF_INIT;
    struct stat st;
    int rc = -1;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return write_in_place(path, data, len, d);
    if (stage_file(&tmp, path, data, len, d) < 0)
        goto out;
    if (rename(tmp.buf, path) < 0) {
        gp_error_at(d, file_loc(path), "cannot rename output into place: %s",
                    strerror(errno));
        unlink(tmp.buf);
        goto out;
    }
    rc = 0;
out:
    gp_strbuf_release(&tmp);
    return rc;
}

static void
join(struct gp_strbuf *out, const char *dir, size_t dlen, const char *name)
{
    gp_strbuf_reset(out);
    gp_strbuf_add(out, dir, dlen);
    gp_strbuf_putc(out, '/');
    gp_strbuf_puts(out, name);
}

/* 'dir' does not exist: fill a new sibling directory, then rename it. */
static int
write_new_dir(const char *dir, size_t dlen, const struct gp_out_file *f,
              size_t n, struct gp_diags *d)
{
    struct gp_strbuf tmp = GP_STRBUF_INIT, path = GP_STRBUF_INIT;
    size_t i, done = 0;
    mode_t um;
    int rc = -1;

    {
        /* A hidden sibling: "<parent>/.<name>.tmp.XXXXXX". */
        const char *slash = strrchr(dir, '/');
        size_t cut = slash ? (size_t)(slash - dir) + 1 : 0;

        gp_strbuf_add(&tmp, dir, cut);
        gp_strbuf_putc(&tmp, '.');
        gp_strbuf_add(&tmp, dir + cut, dlen - cut);
        gp_strbuf_puts(&tmp, ".tmp.XXXXXX");
    }
    if (!mkdtemp(tmp.buf)) {
        gp_error_at(d, file_loc(dir), "cannot create output directory: %s",
                    strerror(errno));
        goto out;
    }
    for (i = 0; i < n; i++) {
        int fd;

        join(&path, tmp.buf, tmp.len, f[i].name);
        fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || write_all_close(fd, f[i].data, f[i].len) < 0) {
            int e = errno;

            if (fd >= 0)
                unlink(path.buf);
            join(&path, dir, dlen, f[i].name);
            gp_error_at(d, file_loc(path.buf), "cannot write output file: %s",
                        strerror(e));
            goto cleanup;
        }
        done = i + 1;
    }
    um = umask(0);
    umask(um);
    if (chmod(tmp.buf, 0777 & ~um) < 0 || rename(tmp.buf, dir) < 0) {
        gp_error_at(d, file_loc(dir), "cannot move output directory into "
                                      "place: %s",
                    strerror(errno));
        goto cleanup;
    }
    rc = 0;
    goto out;
cleanup:
    for (i = 0; i < done; i++) {
        join(&path, tmp.buf, tmp.len, f[i].name);
        unlink(path.buf);
    }
    rmdir(tmp.buf);
out:
    gp_strbuf_release(&tmp);
    gp_strbuf_release(&path);
    return rc;
}

int
gp_files_write_atomic(const char *dir, const struct gp_out_file *f, size_t n,
                      struct gp_diags *d)
{
    struct gp_strbuf path = GP_STRBUF_INIT, *tmp;
    size_t dlen = strlen(dir), i, staged = 0;
    struct stat st;
    int rc = -1;

    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    if (stat(dir, &st) < 0) {
        struct gp_strbuf clean = GP_STRBUF_INIT;

        if (errno != ENOENT)
            return gp_error_at(d, file_loc(dir),
                               "cannot use output directory: %s",
                               strerror(errno));
        gp_strbuf_add(&clean, dir, dlen);
        rc = write_new_dir(clean.buf, dlen, f, n, d);
        gp_strbuf_release(&clean);
        return rc;
    }
    if (!S_ISDIR(st.st_mode))
        return gp_error_at(d, file_loc(dir),
                           "output path exists and is not a directory");
    tmp = calloc(n ? n : 1, sizeof(*tmp));
    if (!tmp)
        return gp_error_at(d, file_loc(dir), "out of memory");
    for (i = 0; i < n; i++)
        gp_strbuf_init(&tmp[i]);
    for (i = 0; i < n; i++) {
        join(&path, dir, dlen, f[i].name);
        if (stage_file(&tmp[i], path.buf, f[i].data, f[i].len, d) < 0)
            goto out;
        staged = i + 1;
    }
    /* rename(2) of a file fails over a directory: find that before any
     * file is replaced. Past this point only a failing file system can
     * stop a rename, and then the files before it are already new. */
    for (i = 0; i < n; i++) {
        join(&path, dir, dlen, f[i].name);
        if (lstat(path.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
            gp_error_at(d, file_loc(path.buf),
                        "cannot replace a directory with an output file");
            goto out;
        }
    }
    for (i = 0; i < n; i++) {
        join(&path, dir, dlen, f[i].name);
        if (rename(tmp[i].buf, path.buf) < 0) {
            gp_error_at(d, file_loc(path.buf),
                        "cannot rename output into place: %s",
                        strerror(errno));
            goto out;
        }
        gp_strbuf_reset(&tmp[i]);
    }
    rc = 0;
out:
    for (i = 0; i < staged; i++)
        if (tmp[i].len)
            unlink(tmp[i].buf);
    for (i = 0; i < n; i++)
        gp_strbuf_release(&tmp[i]);
    free(tmp);
    gp_strbuf_release(&path);
    return rc;
}
