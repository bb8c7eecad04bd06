/*
 * outfile.c - files written beside their place under a name no one else
 * chose, then renamed into it (outfile.h).  Prefix outfile_.  What
 * goes in them is report.c's and shrink.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/* Ten letters or digits nobody can guess or share: from getrandom(), or,
 * where it fails, from the time, the pid and a counter (O_EXCL still
 * keeps a guessed name from being used). */
static void random_suffix(char out[11])
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static unsigned counter;
    unsigned char bytes[10];
    struct timespec ts;

    if (getrandom(bytes, sizeof(bytes), GRND_NONBLOCK) !=
        (ssize_t)sizeof(bytes)) {
        uint64_t x;
        clock_gettime(CLOCK_REALTIME, &ts);
        x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
            (uint64_t)getpid() << 20 ^ (uint64_t)ts.tv_sec ^ ++counter;
        for (size_t i = 0; i < sizeof(bytes);
             i++, x = x * 6364136223846793005ull + 1)
            bytes[i] = (unsigned char)(x >> 56);
    }
    for (size_t i = 0; i < sizeof(bytes); i++)
        out[i] = alphabet[bytes[i] % (sizeof(alphabet) - 1)];
    out[10] = '\0';
}

FILE *outfile_open(struct outfile *of, const char *path, mode_t mode)
{
    memset(of, 0, sizeof(*of));
    if ((size_t)snprintf(of->path, sizeof(of->path), "%s", path) >=
        sizeof(of->path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    for (int tries = 0; tries < 100; tries++) {
        char suffix[11];
        int fd;
        random_suffix(suffix);
        snprintf(of->tmp, sizeof(of->tmp), "%s.%s.part", path, suffix);
        fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  mode);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return NULL;
        if (!(of->f = fdopen(fd, "w"))) {
            int e = errno;
            close(fd);
            unlink(of->tmp);
            errno = e;
        }
        return of->f;
    }
    errno = EEXIST;
    return NULL;
}

int outfile_commit(struct outfile *of)
{
    int bad = ferror(of->f), e = 0;

    if (fclose(of->f) != 0 || bad)
        e = errno ? errno : EIO;
    else if (rename(of->tmp, of->path) < 0)
        e = errno;
    of->f = NULL;
    if (e) {
        unlink(of->tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int outfile_write(const char *path, const char *text, mode_t mode)
{
    struct outfile of;

    if (!outfile_open(&of, path, mode))
        return -1;
    fputs(text, of.f);
    return outfile_commit(&of);
}

int outfile_private_dir(const char *path)
{
    struct stat st;
    int fd, rc = 0;

    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return -1;
    /* O_NOFOLLOW|O_DIRECTORY: a symlink planted in its place fails here
     * (ELOOP or ENOTDIR), and the checks below are on what was opened. */
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP)
            errno = ENOTDIR;
        return -1;
    }
    if (fstat(fd, &st) < 0)
        rc = -1;
    else if (st.st_uid != geteuid())
        errno = EPERM, rc = -1;
    else if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
        rc = -1;
    close(fd);
    return rc;
}
