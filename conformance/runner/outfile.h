/*
 * outfile.h - the files the runner writes (reports, generated and shrunk
 * programs), in directories other users may write too (a report
 * directory in /tmp is common), and which two runs may share.
 *
 * Each file is written under a name of its own, beside its place, that
 * no one else can have chosen: created with O_CREAT|O_EXCL|O_NOFOLLOW,
 * so a symlink planted there is never followed, and random, so two runs
 * never write the same temporary file.  It is then renamed into place: a
 * reader never sees half a file, a symlink planted as the final name is
 * replaced and not followed, and of two runs the last one wins whole.
 * Prefix outfile_.
 */
#ifndef EVCONF_OUTFILE_H
#define EVCONF_OUTFILE_H

#include <limits.h>
#include <stdio.h>
#include <sys/types.h>

struct outfile {
    FILE *f;
    char path[PATH_MAX];            /* where it goes */
    char tmp[PATH_MAX + 32];        /* where it is written */
};

/* Create the temporary file for path, mode as open(2) takes it (the
 * umask applies).  Returns its stream, or NULL with errno set. */
FILE *outfile_open(struct outfile *of, const char *path, mode_t mode);
/* Close it and rename it over its path: 0, or -1 with errno set and the
 * temporary file removed. */
int outfile_commit(struct outfile *of);
/* Write text as path, the same way: 0 or -1 with errno set. */
int outfile_write(const char *path, const char *text, mode_t mode);
/* A directory that is the kit's own (generated programs): created 0700,
 * or, if it is there, a real directory of this user's (not a symlink),
 * which is then made 0700.  0, or -1 with errno set (EPERM: another
 * user's; ENOTDIR: not a directory or a symlink). */
int outfile_private_dir(const char *path);

#endif
