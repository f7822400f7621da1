/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SeroListener:
 * @port: the TCP port
 * @inode: the socket's inode, 0 when unknown (from `ss`)
 * @pid: the owning process from `ss -p`, 0 when unknown (from /proc)
 * @public_address: bound to the any-address (0.0.0.0 or ::) rather than loopback
 */
typedef struct
{
  guint    port;
  guint64  inode;
  int      pid;
  gboolean public_address;
} SeroListener;

/**
 * SeroProcStat:
 * The fields of /proc/<pid>/stat that Sero needs: the process group and
 * session (field 5 and 6) to stop a whole tree, and the start time in clock
 * ticks since boot (field 22) to tell a process from a later one that got
 * the same pid. @state is field 3 ('Z' for a zombie, which still answers
 * `kill -0` until its parent reaps it).
 */
typedef struct
{
  int      pid;
  char     state;
  int      ppid;
  int      pgid;
  int      sid;
  guint64  start_time;
} SeroProcStat;

/**
 * SeroPortProbe:
 * What the probe script printed (see sero-dev-server-registry.c).
 * @alive: the probed pid answered `kill -0` and is not a zombie
 * @have_table: a listener table (/proc/net/tcp or ss) was read
 * @listeners: (element-type SeroListener): one per port
 * @session_inodes: (element-type guint64): sockets the probed session holds
 * @session_pids: (element-type int): processes in the probed session
 * @session_unreadable: the sockets of some of them could not be listed
 * @leader: the probed pid's stat; pid 0 when it was not found
 */
typedef struct
{
  gboolean      alive;
  gboolean      have_table;
  GArray       *listeners;
  GArray       *session_inodes;
  GArray       *session_pids;
  gboolean      session_unreadable;
  SeroProcStat  leader;
} SeroPortProbe;

/**
 * SeroPortOwners:
 * What the owner script printed: the processes holding a port's listening
 * sockets, and the stat of each of them, of the leader and of the script.
 */
typedef struct
{
  GArray *owner_pids;   /* int */
  GArray *stats;        /* SeroProcStat */
  int     self_pid;
} SeroPortOwners;

gboolean        sero_proc_stat_parse              (const char            *line,
                                                   SeroProcStat          *stat);

GArray         *sero_port_scan_parse_proc_net_tcp (const char            *text);
GArray         *sero_port_scan_parse_ss           (const char            *text);
gboolean        sero_port_scan_has_port           (GArray                *listeners,
                                                   guint                  port);

SeroPortProbe  *sero_port_probe_parse             (const char            *text);
guint           sero_port_probe_choose_new_port   (const SeroPortProbe   *probe,
                                                   GArray                *before);
void            sero_port_probe_free              (SeroPortProbe         *probe);

SeroPortOwners *sero_port_owners_parse            (const char            *text);
const SeroProcStat *sero_port_owners_lookup_stat  (const SeroPortOwners  *owners,
                                                   int                    pid);
GStrv           sero_port_owners_plan_kill        (const SeroPortOwners  *owners,
                                                   int                    leader,
                                                   guint64                leader_start_time,
                                                   int                    protected_pgid);
void            sero_port_owners_free             (SeroPortOwners        *owners);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroPortProbe, sero_port_probe_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroPortOwners, sero_port_owners_free)

G_END_DECLS
