/* SPDX-License-Identifier: MIT */
/* tests/unit/test_fs.c: nothing lost. Output sets are written as one unit
 * whatever fails (every file system operation is made to fail in turn),
 * and no output replaces a symbolic link, a special file or an input. */
#define _DEFAULT_SOURCE /* DT_REG, mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "harness.h"
#include "tests.h"

/* Fails the n-th operation (counting from 0) with 'err', or none. */
struct fault {
    int n, seen, err;
    const char *only; /* only this operation counts, or NULL */
};

static int
fail_nth(const char *op, const char *path, void *ctx)
{
    struct fault *f = ctx;

    (void)path;
    if (f->only && strcmp(op, f->only) != 0)
        return 0;
    return f->seen++ == f->n ? f->err : 0;
}

static void
put(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    OK(fp != NULL);
    if (!fp)
        return;
    fputs(text, fp);
    fclose(fp);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name=content;" for every entry of 'dir', sorted; links as "name->". */
static void
snapshot(struct gp_strbuf *out, const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char *names[64];
    size_t n = 0, i;

    gp_strbuf_reset(out);
    if (!dp)
        return;
    for (e = readdir(dp); e; e = readdir(dp)) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 64)
            names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n; i++) {
        char path[512], buf[256];
        struct stat st;
        ssize_t r;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        gp_strbuf_printf(out, "%s", names[i]);
        free(names[i]);
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
            gp_strbuf_puts(out, "->;");
            continue;
        }
        fd = open(path, O_RDONLY | O_NONBLOCK);
        if (fd < 0)
            continue;
        r = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[r > 0 ? r : 0] = '\0';
        gp_strbuf_printf(out, "=%s;", buf);
    }
}

static void
remove_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char path[512];

    if (!dp)
        return;
    for (e = readdir(dp); e; e = readdir(dp)) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) < 0)
            remove_tree(path);
    }
    closedir(dp);
    rmdir(dir);
}

/* Makes every operation of a three-file write into an existing directory
 * fail in turn, with 'err': each time the directory must hold exactly
 * the old files. */
static void
every_fault_keeps_old(int err, const char *only)
{
    struct gp_arena *a = gp_arena_new();
    char base[] = "/tmp/gp-fs-test.XXXXXX", out[64];
    struct gp_strbuf before = GP_STRBUF_INIT, after = GP_STRBUF_INIT;
    struct gp_out_file f[3] = {
        {"a.yaml", "new a\n", 6},
        {"b.yaml", "new b\n", 6},
        {"c.yaml", "new c\n", 6}, /* new: not there before */
    };
    struct fault fl = {0, 0, err, only};
    int n, rc = -1;

    OK(mkdtemp(base) != NULL);
    snprintf(out, sizeof(out), "%s/out", base);
    OK(mkdir(out, 0755) == 0);
    put(out, "a.yaml", "old a\n");
    put(out, "b.yaml", "old b\n");
    put(out, "keep.txt", "the user's\n");
    snapshot(&before, out);
    for (n = 0; n < 100 && rc < 0; n++) {
        struct gp_diags *d = gp_diags_new(a);

        fl.n = n;
        fl.seen = 0;
        gp_fs_set_fault(fail_nth, &fl);
        rc = gp_files_write_atomic(out, f, 3, d);
        gp_fs_set_fault(NULL, NULL);
        snapshot(&after, out);
        if (rc < 0) {
            OK(gp_diags_errors(d) > 0);
            STR_EQ(after.buf, before.buf);
        }
    }
    INT_EQ(rc, 0);
    OK(n > 3); /* some operations did fail */
    STR_EQ(after.buf, "a.yaml=new a\n;b.yaml=new b\n;c.yaml=new c\n;"
                      "keep.txt=the user's\n;");
    remove_tree(base);
    gp_strbuf_release(&before);
    gp_strbuf_release(&after);
    gp_arena_free(a);
}

void
fs_output_set_all_or_nothing(void)
{
    every_fault_keeps_old(EIO, NULL);
    /* A full disk: any write of the set fails. */
    every_fault_keeps_old(ENOSPC, "write");
}

/* A file system without hard links: link() fails with EPERM every time,
 * and any other operation fails in turn. */
static int
no_links(const char *op, const char *path, void *ctx)
{
    if (strcmp(op, "link") == 0)
        return EPERM;
    return fail_nth(op, path, ctx);
}

void
fs_output_set_without_hard_links(void)
{
    struct gp_arena *a = gp_arena_new();
    char base[] = "/tmp/gp-fs-test.XXXXXX", out[64];
    struct gp_strbuf before = GP_STRBUF_INIT, after = GP_STRBUF_INIT;
    struct gp_out_file f[2] = {
        {"a.yaml", "new a\n", 6},
        {"b.yaml", "new b\n", 6},
    };
    struct fault fl = {0, 0, EIO, NULL};
    int n, rc = -1;

    OK(mkdtemp(base) != NULL);
    snprintf(out, sizeof(out), "%s/out", base);
    OK(mkdir(out, 0755) == 0);
    put(out, "a.yaml", "old a\n");
    put(out, "b.yaml", "old b\n");
    snapshot(&before, out);
    for (n = 0; n < 100 && rc < 0; n++) {
        struct gp_diags *d = gp_diags_new(a);

        fl.n = n;
        fl.seen = 0;
        gp_fs_set_fault(no_links, &fl);
        rc = gp_files_write_atomic(out, f, 2, d);
        gp_fs_set_fault(NULL, NULL);
        snapshot(&after, out);
        if (rc < 0)
            STR_EQ(after.buf, before.buf);
    }
    INT_EQ(rc, 0);
    STR_EQ(after.buf, "a.yaml=new a\n;b.yaml=new b\n;");
    remove_tree(base);
    gp_strbuf_release(&before);
    gp_strbuf_release(&after);
    gp_arena_free(a);
}

void
fs_new_directory_appears_whole(void)
{
    struct gp_arena *a = gp_arena_new();
    char base[] = "/tmp/gp-fs-test.XXXXXX", out[64];
    struct gp_strbuf snap = GP_STRBUF_INIT;
    struct gp_out_file f[2] = {
        {"a.yaml", "a\n", 2},
        {"b.yaml", "b\n", 2},
    };
    struct fault fl = {0, 0, EIO, NULL};
    int n, rc = -1;

    OK(mkdtemp(base) != NULL);
    snprintf(out, sizeof(out), "%s/out", base);
    for (n = 0; n < 100 && rc < 0; n++) {
        struct gp_diags *d = gp_diags_new(a);

        fl.n = n;
        fl.seen = 0;
        gp_fs_set_fault(fail_nth, &fl);
        rc = gp_files_write_atomic(out, f, 2, d);
        gp_fs_set_fault(NULL, NULL);
        snapshot(&snap, base);
        if (rc < 0)
            STR_EQ(snap.buf, ""); /* no directory, no temporary one */
    }
    INT_EQ(rc, 0);
    snapshot(&snap, out);
    STR_EQ(snap.buf, "a.yaml=a\n;b.yaml=b\n;");
    remove_tree(base);
    gp_strbuf_release(&snap);
    gp_arena_free(a);
}

void
fs_single_file_all_or_nothing(void)
{
    struct gp_arena *a = gp_arena_new();
    char base[] = "/tmp/gp-fs-test.XXXXXX", path[64];
    struct gp_strbuf snap = GP_STRBUF_INIT;
    struct fault fl = {0, 0, EIO, NULL};
    int n, rc = -1;

    OK(mkdtemp(base) != NULL);
    put(base, "inv.yaml", "old\n");
    snprintf(path, sizeof(path), "%s/inv.yaml", base);
    for (n = 0; n < 100 && rc < 0; n++) {
        struct gp_diags *d = gp_diags_new(a);

        fl.n = n;
        fl.seen = 0;
        gp_fs_set_fault(fail_nth, &fl);
        rc = gp_file_write_atomic(path, "new\n", 4, d);
        gp_fs_set_fault(NULL, NULL);
        snapshot(&snap, base);
        if (rc < 0)
            STR_EQ(snap.buf, "inv.yaml=old\n;");
    }
    INT_EQ(rc, 0);
    snapshot(&snap, base);
    STR_EQ(snap.buf, "inv.yaml=new\n;");
    remove_tree(base);
    gp_strbuf_release(&snap);
    gp_arena_free(a);
}

void
fs_refuses_links_special_files_and_inputs(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char base[] = "/tmp/gp-fs-test.XXXXXX", out[64], path[128];
    struct gp_strbuf before = GP_STRBUF_INIT, after = GP_STRBUF_INIT;
    struct gp_out_file f[2] = {
        {"plan.json", "{}\n", 3},
        {"plan.txt", "plan\n", 5},
    };
    const char *text;
    size_t len;

    OK(mkdtemp(base) != NULL);
    put(base, "secret", "outside\n");
    snprintf(out, sizeof(out), "%s/out", base);
    OK(mkdir(out, 0755) == 0);

    /* A link out of the output directory is neither followed nor
     * replaced. */
    snprintf(path, sizeof(path), "%s/plan.txt", out);
    OK(symlink("../secret", path) == 0);
    snapshot(&before, base);
    INT_EQ(gp_files_write_atomic(out, f, 2, d), -1);
    INT_EQ(gp_file_write_atomic(path, "x\n", 2, d), -1);
    snapshot(&after, base);
    STR_EQ(after.buf, before.buf);
    snapshot(&after, out);
    STR_EQ(after.buf, "plan.txt->;");
    OK(unlink(path) == 0);

    /* /dev/full behind a link, and a FIFO: refused, not written. */
    OK(symlink("/dev/full", path) == 0);
    INT_EQ(gp_files_write_atomic(out, f, 2, d), -1);
    OK(unlink(path) == 0);
    OK(mkfifo(path, 0644) == 0);
    INT_EQ(gp_files_write_atomic(out, f, 2, d), -1);
    OK(unlink(path) == 0);

    /* A file this run read is never replaced, under its name or another
     * (hard link). */
    put(out, "plan.json", "an input\n");
    snprintf(path, sizeof(path), "%s/plan.json", out);
    OK(gp_file_read(&text, &len, a, path, 1024, d) == 0);
    INT_EQ(gp_files_write_atomic(out, f, 2, d), -1);
    INT_EQ(gp_file_write_atomic(path, "x\n", 2, d), -1);
    {
        char from[128];

        snprintf(from, sizeof(from), "%s/plan.json", out);
        snprintf(path, sizeof(path), "%s/other.json", out);
        OK(link(from, path) == 0);
        INT_EQ(gp_file_write_atomic(path, "x\n", 2, d), -1);
    }
    snapshot(&after, out);
    STR_EQ(after.buf, "other.json=an input\n;plan.json=an input\n;");
    INT_EQ(gp_diags_errors(d), 7);
    remove_tree(base);
    gp_strbuf_release(&before);
    gp_strbuf_release(&after);
    gp_arena_free(a);
}
