/*
 * support.c - what the runner's tests share: running build/evconf-run as
 * a child process, scenario files in a temporary directory, the test
 * implementations' paths.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

const char *build_dir(void)
{
    const char *b = getenv("EVCONF_BUILD");
    return b ? b : "build";
}

static pid_t start(int *out_fd, const char *const prefix[], const char *const args[]);

/* Run evconf-run with args (NULL-terminated), behind the words of prefix
 * (e.g. faketime) if any; returns its exit status and its stdout and
 * stderr together in *out. */
int run_prefixed(char **out, const char *const prefix[], const char *const args[])
{
    int fd, status;
    pid_t pid = start(&fd, prefix, args);

    *out = read_all(fd);
    close(fd);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int runner(char **out, const char *const args[])
{
    return run_prefixed(out, NULL, args);
}

char tmpdir[] = "/tmp/evconf-test-XXXXXX";
static bool have_tmpdir;

const char *make_tmpdir(void)
{
    if (!have_tmpdir) {
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        have_tmpdir = true;
    }
    return tmpdir;
}

/* A scenario file in a fresh temporary directory; returns its path. */
const char *scenario_file(const char *name, const char *text)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", make_tmpdir(), name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void remove_tmpdir(void)
{
    if (have_tmpdir)
        nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *impl(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/conformance/tests/impls/lib%s.so", build_dir(), name);
    return path;
}

int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

const char *simple(const char *id)
{
    static char text[512];

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 3\nexpect calls T = 3\n", id);
    return text;
}


/* Start evconf-run behind the words of prefix (if any), its stdout and
 * stderr into a pipe whose read end goes to *out_fd. */
static pid_t start(int *out_fd, const char *const prefix[], const char *const args[])
{
    char path[512], *argv[40];
    int p[2], n = 0;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/evconf-run", build_dir());
    for (int i = 0; prefix && prefix[i] && n < 8; i++)
        argv[n++] = (char *)prefix[i];
    argv[n++] = path;
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    ck_assert_int_eq(pipe(p), 0);
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    *out_fd = p[0];
    return pid;
}

pid_t runner_start(int *out_fd, const char *const args[])
{
    return start(out_fd, NULL, args);
}

pid_t runner_start_prefixed(int *out_fd, const char *const prefix[],
                            const char *const args[])
{
    return start(out_fd, prefix, args);
}

char *read_all(int fd)
{
    size_t len = 0, cap = 8192;
    char *out = malloc(cap);
    ssize_t got;

    while ((got = read(fd, out + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 4096)
            out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    return out;
}

bool process_gone(pid_t pid, int ms)
{
    for (int waited = 0; ; waited += 10) {
        char path[64];
        FILE *f;
        char state = '?';

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "r");
        if (!f)
            return true;
        /* A zombie whose parent is gone is init's to reap: gone for us. */
        if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
            state = '?';
        fclose(f);
        if (state == 'Z')
            return true;
        if (waited >= ms)
            return false;
        usleep(10000);
    }
}

/* A crash, an exit and a hang of the implementation fail that scenario,
 * named as such, and the run goes on to the next one. */
void misbehaving(const char *which, int timeout, const char *says)
{
    char *out, t[8];
    const char *args[] = { "--impl", impl(which), "-s", NULL, "--timeout", t, NULL };

    snprintf(t, sizeof(t), "%d", timeout);
    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    args[3] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, says), "expected '%s' in: %s", says, out);
    ck_assert_msg(strstr(out, "error one") && strstr(out, "error two"),
                  "both scenarios should be reported: %s", out);
    ck_assert_msg(strstr(out, "0 passed, 2 failed"), "%s", out);
    free(out);
}

void write_bad_scenarios(const struct bad_scenario *bad, size_t n)
{
    char name[32], text[512];

    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "bad%zu.scn", i);
        snprintf(text, sizeof(text), HEADER "%s", name, bad[i].body);
        scenario_file(name, text);
    }
}

void check_bad_scenarios(const char *out, const struct bad_scenario *bad, size_t n)
{
    char want[600];

    for (size_t i = 0; i < n; i++) {
        snprintf(want, sizeof(want), "%s/bad%zu.scn:%d: ", tmpdir, i, bad[i].line);
        ck_assert_msg(strstr(out, want), "no '%s' in: %s", want, out);
        ck_assert_msg(strstr(out, bad[i].says), "no '%s' in: %s", bad[i].says, out);
    }
}

void refused_bad_scenarios(const struct bad_scenario *bad, size_t n)
{
    char *out;
    const char *args[] = { "-s", tmpdir, NULL };

    write_bad_scenarios(bad, n);
    ck_assert_int_eq(runner(&out, args), 2);
    check_bad_scenarios(out, bad, n);
    free(out);
}

/* A line of its own, flushed at once: a forked test's output reaches the
 * log only if it is written before the test's process ends. */
void test_skip(const char *why)
{
    printf("evconf-skip: %s\n", why);
    fflush(stdout);
}
