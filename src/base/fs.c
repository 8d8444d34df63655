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

static int
write_in_place(const char *path, const char *data, size_t len,
               struct gp_diags *d)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t off = 0;

    if (fd < 0)
        return gp_error_at(d, file_loc(path), "cannot open for writing: %s",
                           strerror(errno));
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            gp_error_at(d, file_loc(path), "cannot write: %s",
                        w < 0 ? strerror(errno) : "short write");
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (close(fd) < 0)
        return gp_error_at(d, file_loc(path), "cannot write: %s",
                           strerror(errno));
    return 0;
}

int
gp_file_write_atomic(const char *path, const char *data, size_t len,
                     struct gp_diags *d)
{
    struct gp_strbuf tmp = GP_STRBUF_INIT;
    const char *slash = strrchr(path, '/');
    struct stat st;
    size_t off = 0;
    int fd, rc = -1;

    /* A target that exists and is not a regular file (/dev/null, a FIFO,
     * /dev/stdout) is written in place: renaming over it would replace the
     * device with a file. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return write_in_place(path, data, len, d);
    /* The temporary file sits beside the target so rename(2) stays within
     * one file system and is atomic. */
    if (slash)
        gp_strbuf_add(&tmp, path, (size_t)(slash - path) + 1);
    gp_strbuf_printf(&tmp, ".%s.tmp.XXXXXX", slash ? slash + 1 : path);
    fd = mkstemp(tmp.buf);
    if (fd < 0) {
        gp_error_at(d, file_loc(path), "cannot create output file: %s",
                    strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            gp_error_at(d, file_loc(path), "cannot write output file: %s",
                        w < 0 ? strerror(errno) : "short write");
            close(fd);
            unlink(tmp.buf);
            goto out;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0) {
        gp_error_at(d, file_loc(path), "cannot write output file: %s",
                    strerror(errno));
        unlink(tmp.buf);
        goto out;
    }
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
