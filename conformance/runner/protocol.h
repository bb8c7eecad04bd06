/*
 * protocol.h - what a scenario's child process tells the runner.  Prefix
 * PROTO_.  Written by the scenario's side (exec.c, checks.c, client.c,
 * crash.c), read by run.c, judged by verdict.c.
 *
 * The child writes records to a pipe of its own, at a descriptor number
 * no implementation opens by accident (the lowest free one from
 * PROTO_RESULT_FD up, close-on-exec so that no helper it starts inherits
 * it).  The implementation's stdout and stderr go to a second pipe, which
 * the runner keeps as trace and never reads records from: nothing the
 * implementation prints can pass for a result.
 *
 * A record is one line, its kind in the first byte and a space:
 *
 *   T <text>                       a line of the trace
 *   F <LEVEL> <RULES> <message>    a failure; LEVEL is MUST, SHOULD or
 *                                  INFO, RULES "R29" or "R29,R28", or "-"
 *   E <message>                    the scenario itself is wrong (a
 *                                  mistake only running shows): an
 *                                  error of the scenario, not the loop's
 *   C <RULES> <where>              the process is dying (a fatal signal,
 *                                  or an exit in mid-scenario) while its
 *                                  thread was where it says; RULES as in
 *                                  F, "-" when where names none
 *   S <reason>                     the scenario cannot run here (a
 *                                  program it needs is missing): skipped
 *   W <idle> <iterations>          the loop's idle wake-ups and its
 *                                  iterations, in all (wakeups.h); only
 *                                  in virtual time, before R
 *   R done                         the scenario ran to its end
 *
 * A scenario counts as run only if its child wrote "R done" and then
 * exited with status 0.
 */
#ifndef EVCONF_PROTOCOL_H
#define EVCONF_PROTOCOL_H

#define PROTO_RESULT_FD 200

#define PROTO_TRACE   'T'
#define PROTO_FAILURE 'F'
#define PROTO_SCENARIO_ERROR 'E'
#define PROTO_SKIP    'S'
#define PROTO_CRASH   'C'
#define PROTO_DONE    'R'
#define PROTO_WAKEUPS 'W'

#define PROTO_DONE_LINE "R done"

#endif
