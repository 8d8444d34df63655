/* SPDX-License-Identifier: MIT */
/* MAP_POPULATE is a Linux extension, outside POSIX. */
#define _DEFAULT_SOURCE

#include "base/fs.h"

#include <errno.h>
#include <stdbool.h>
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

static gp_fs_fault_fn fault_fn;
static void *fault_ctx;

void
gp_fs_set_fault(gp_fs_fault_fn fn, void *ctx)
{
    fault_fn = fn;
    fault_ctx = ctx;
}

/* True (errno set) when a test asked this operation to fail. */
static bool
injected(const char *op, const char *path)
{
    int e = fault_fn ? fault_fn(op, path, fault_ctx) : 0;

    if (!e)
        return false;
    errno = e;
    return true;
}

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
    bool regular;
    int rc = -1;

    if (fd < 0)
        return gp_error_at(d, file_loc(name), "cannot open: %s",
                           strerror(errno));
    regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (!regular && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        gp_error_at(d, file_loc(name), "is a directory, not a file");
        goto out;
    }
    /* Remembered so that no output of this run replaces an input. */
    if (regular)
        gp_diags_add_input(d, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
    if (regular && (unsigned long long)st.st_size > max_bytes) {
        gp_error_at(d, file_loc(name),
                    "file is too large (%llu bytes; the limit is %zu)",
                    (unsigned long long)st.st_size, max_bytes);
        goto out;
    }
    /* A regular file is read straight into the arena at its size (read
     * one byte further to see it did not grow); a pipe or a device grows
     * a buffer up to the bound. */
    if (regular && st.st_size > 0) {
        size_t size = (size_t)st.st_size;
        char *t = gp_arena_alloc(a, size + 2);

        for (;;) {
            ssize_t r = read(fd, t + n, size + 1 - n);

            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                gp_error_at(d, file_loc(name), "cannot read: %s",
                            strerror(errno));
                goto out;
            }
            if (r == 0)
                break;
            n += (size_t)r;
            if (n > size) {
                gp_error_at(d, file_loc(name), "file changed while it was "
                                               "read");
                goto out;
            }
        }
        t[n] = '\0';
        *text = t;
        *len = n;
        gp_diags_add_source(d, gp_arena_strdup(a, name), t, n);
        rc = 0;
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
    gp_diags_add_input(d, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
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

/* Writes all of 'data' to 'fd', then syncs and closes it. Returns 0, or
 * -1 with errno set (fd closed either way). */
static int
write_all_close(int fd, const char *path, const char *data, size_t len)
{
    size_t off = 0;
    int e;

    while (off < len) {
        ssize_t w = injected("write", path) ? -1
                                             : write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            close(fd);
            errno = e;
            return -1;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) < 0 || injected("fsync", path) || fsync(fd) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

static int
rename_file(const char *from, const char *to)
{
    return injected("rename", to) ? -1 : rename(from, to);
}

/* "<dir>/.<name>.<tag>.XXXXXX" beside 'path'. */
static void
sibling(struct gp_strbuf *out, const char *path, const char *tag)
{
    const char *slash = strrchr(path, '/');

    gp_strbuf_reset(out);
    if (slash)
        gp_strbuf_add(out, path, (size_t)(slash - path) + 1);
    gp_strbuf_printf(out, ".%s.%s.XXXXXX", slash ? slash + 1 : path, tag);
}

/* Refuses an output path that this run must not replace: a symbolic link
 * (it may point anywhere: out of the output directory, at /dev/full, at a
 * file of the user's), a directory, anything but a regular file, or a file
 * this run read as input (same device and inode: also through another
 * name). A path that does not exist is fine. */
static int
check_target(const char *path, struct gp_diags *d)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return gp_error_at(d, file_loc(path), "cannot use output file: %s",
                           strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        gp_error_at(d, file_loc(path), "refusing to replace a symbolic link "
                                       "with an output file");
        gp_diag_hint(d, "gpuplan never writes through a link; remove it, "
                        "or name another output");
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return gp_error_at(d, file_loc(path),
                           "cannot replace a directory with an output file");
    if (!S_ISREG(st.st_mode))
        return gp_error_at(d, file_loc(path), "refusing to replace something "
                                              "that is not a regular file");
    if (gp_diags_is_input(d, (uint64_t)st.st_dev, (uint64_t)st.st_ino))
        return gp_error_at(d, file_loc(path),
                           "refusing to overwrite an input file of this run");
    return 0;
}

/* Creates a temporary file beside 'path' (".<name>.tmp.XXXXXX") holding
 * 'data'. OUT: tmp, its name. Returns 0, or -1 with an error in 'd'. */
static int
stage_file(struct gp_strbuf *tmp, const char *path, const char *data,
           size_t len, struct gp_diags *d)
{
    int fd;

    /* The temporary file sits beside the target so rename(2) stays within
     * one file system and is atomic. mkstemp creates it (O_EXCL): a link
     * planted under that name is never followed. */
    sibling(tmp, path, "tmp");
    fd = injected("create", path) ? -1 : mkstemp(tmp->buf);
    if (fd < 0)
        return gp_error_at(d, file_loc(path), "cannot create output file: %s",
                           strerror(errno));
    if (write_all_close(fd, path, data, len) < 0) {
        gp_error_at(d, file_loc(path), "cannot write output file: %s",
                    strerror(errno));
        unlink(tmp->buf);
        gp_strbuf_reset(tmp);
        return -1;
    }
    return 0;
}

int
gp_file_write_atomic(const char *path, const char *data, size_t len,
                     struct gp_diags *d)
{
    struct gp_strbuf tmp = GP_STRBUF_INIT;
    int rc = -1;

    if (check_target(path, d) < 0 || stage_file(&tmp, path, data, len, d) < 0)
        goto out;
    if (rename_file(tmp.buf, path) < 0) {
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
    if (injected("mkdir", dir) || !mkdtemp(tmp.buf)) {
        gp_error_at(d, file_loc(dir), "cannot create output directory: %s",
                    strerror(errno));
        goto out;
    }
    for (i = 0; i < n; i++) {
        int fd;

        join(&path, tmp.buf, tmp.len, f[i].name);
        fd = injected("create", path.buf)
                 ? -1
                 : open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        0644);
        if (fd < 0 || write_all_close(fd, path.buf, f[i].data, f[i].len) < 0) {
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
    if (chmod(tmp.buf, 0777 & ~um) < 0 || rename_file(tmp.buf, dir) < 0) {
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

/* One output file of a set written into an existing directory. */
struct slot {
    struct gp_strbuf path;  /* the target */
    struct gp_strbuf tmp;   /* staged new content; empty once renamed */
    struct gp_strbuf bak;   /* the old file's backup; empty: none */
    bool existed;           /* a file stood at 'path' before */
    bool moved;             /* old file renamed to 'bak' (no hard links) */
    bool placed;            /* 'path' now holds the new content */
};

/* Keeps the old file at 'bak' while the new one goes in: a hard link,
 * so the target never disappears; on a file system without hard links the
 * old file is renamed aside at commit time instead (s->moved). */
static int
backup(struct slot *s, struct gp_diags *d)
{
    int fd;

    sibling(&s->bak, s->path.buf, "old");
    fd = mkstemp(s->bak.buf);
    if (fd < 0)
        return gp_error_at(d, file_loc(s->path.buf),
                           "cannot back up the existing file: %s",
                           strerror(errno));
    close(fd);
    unlink(s->bak.buf);
    if (!injected("link", s->path.buf) && link(s->path.buf, s->bak.buf) == 0)
        return 0;
    if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP ||
        errno == EMLINK || errno == ENOSYS) {
        s->moved = true;
        return 0;
    }
    gp_error_at(d, file_loc(s->path.buf),
                "cannot back up the existing file: %s", strerror(errno));
    gp_strbuf_reset(&s->bak);
    return -1;
}

/* Puts the old file back (or removes the new one where none was). */
static void
restore(struct slot *s, struct gp_diags *d)
{
    if (!s->placed && !(s->moved && s->bak.len))
        return;
    if (s->existed && s->bak.len) {
        if (rename(s->bak.buf, s->path.buf) == 0) {
            gp_strbuf_reset(&s->bak);
            return;
        }
        gp_error_at(d, file_loc(s->path.buf),
                    "cannot restore the previous file: %s; it is kept as "
                    "'%s'",
                    strerror(errno), s->bak.buf);
        gp_strbuf_reset(&s->bak); /* keep it on disk */
        return;
    }
    if (s->placed)
        unlink(s->path.buf);
}

int
gp_files_write_atomic(const char *dir, const struct gp_out_file *f, size_t n,
                      struct gp_diags *d)
{
    struct slot *sl;
    size_t dlen = strlen(dir), i;
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
    sl = calloc(n ? n : 1, sizeof(*sl));
    if (!sl)
        return gp_error_at(d, file_loc(dir), "out of memory");
    for (i = 0; i < n; i++) {
        gp_strbuf_init(&sl[i].path);
        gp_strbuf_init(&sl[i].tmp);
        gp_strbuf_init(&sl[i].bak);
        join(&sl[i].path, dir, dlen, f[i].name);
    }
    /* 1. Every target is checked before anything is written. */
    for (i = 0; i < n; i++) {
        if (check_target(sl[i].path.buf, d) < 0)
            goto out;
        sl[i].existed = lstat(sl[i].path.buf, &st) == 0;
    }
    /* 2. The new contents, complete and synced, beside their targets. */
    for (i = 0; i < n; i++) {
        if (stage_file(&sl[i].tmp, sl[i].path.buf, f[i].data, f[i].len, d) <
            0)
            goto out;
    }
    /* 3. A backup of every old file, still without a visible change. */
    for (i = 0; i < n; i++) {
        if (sl[i].existed && backup(&sl[i], d) < 0)
            goto out;
    }
    /* 4. Commit: rename each into place; on a failure, undo the renames
     * done so far, so the directory holds the old set or the new one. */
    for (i = 0; i < n; i++) {
        struct slot *s = &sl[i];

        if (s->moved && rename_file(s->path.buf, s->bak.buf) < 0) {
            gp_error_at(d, file_loc(s->path.buf),
                        "cannot move the previous file aside: %s",
                        strerror(errno));
            gp_strbuf_reset(&s->bak);
            goto rollback;
        }
        if (rename_file(s->tmp.buf, s->path.buf) < 0) {
            gp_error_at(d, file_loc(s->path.buf),
                        "cannot rename output into place: %s",
                        strerror(errno));
            restore(s, d);
            goto rollback;
        }
        s->placed = true;
        gp_strbuf_reset(&s->tmp);
    }
    rc = 0;
    goto out;
rollback:
    while (i-- > 0)
        restore(&sl[i], d);
out:
    for (i = 0; i < n; i++) {
        if (sl[i].tmp.len)
            unlink(sl[i].tmp.buf);
        if (sl[i].bak.len)
            unlink(sl[i].bak.buf);
        gp_strbuf_release(&sl[i].path);
        gp_strbuf_release(&sl[i].tmp);
        gp_strbuf_release(&sl[i].bak);
    }
    free(sl);
    return rc;
}
