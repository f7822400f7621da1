/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-port-scan"

#include "config.h"

#include <stdlib.h>

#include "sero-port-scan.h"

/* The text parsers behind dev-server detection. They are pure so the tests
 * can feed them recorded output; the scripts that produce that output live
 * in sero-dev-server-registry.c and run inside the runtime.
 *
 * Listeners come from /proc/net/tcp and /proc/net/tcp6, so detection works
 * in an image without iproute2 (the original needed `ss`, reference §4.2);
 * `ss -tlnp` is only read when /proc/net/tcp is not. */

/* The original ignores ssh and the web ports a container image may run
 * anyway; a dev server is never one of them. */
static const guint ignored_ports[] = { 22, 80, 443 };

static gboolean
port_is_ignored (guint port)
{
  if (port == 0)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (ignored_ports); i++)
    if (port == ignored_ports[i])
      return TRUE;

  return FALSE;
}

/* One listener per port: IPv4 and IPv6 sockets on one port are one server,
 * public when either is. */
static void
add_listener (GArray             *listeners,
              const SeroListener *listener)
{
  if (port_is_ignored (listener->port))
    return;

  for (guint i = 0; i < listeners->len; i++)
    {
      SeroListener *other = &g_array_index (listeners, SeroListener, i);

      if (other->port == listener->port)
        {
          other->public_address |= listener->public_address;
          if (other->inode == 0)
            other->inode = listener->inode;
          if (other->pid == 0)
            other->pid = listener->pid;
          return;
        }
    }

  g_array_append_val (listeners, *listener);
}

static GPtrArray *
split_fields (char *line)
{
  GPtrArray *fields = g_ptr_array_new ();
  char *saveptr = NULL;

  for (char *field = strtok_r (line, " \t", &saveptr); field; field = strtok_r (NULL, " \t", &saveptr))
    g_ptr_array_add (fields, field);

  return fields;
}

/**
 * sero_proc_stat_parse:
 * @line: the contents of /proc/<pid>/stat
 *
 * The command name (field 2) is in parentheses and may itself hold spaces
 * and parentheses, so the fields are counted from the last ')'.
 *
 * Returns: %TRUE when @line was a stat line
 */
gboolean
sero_proc_stat_parse (const char   *line,
                      SeroProcStat *stat)
{
  g_autofree char *rest = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  const char *close;
  char *end = NULL;

  g_return_val_if_fail (stat != NULL, FALSE);

  memset (stat, 0, sizeof *stat);
  if (line == NULL || (close = strrchr (line, ')')) == NULL)
    return FALSE;

  stat->pid = (int) strtol (line, &end, 10);
  if (end == line || stat->pid <= 0)
    return FALSE;

  /* After ')': state(3) ppid(4) pgrp(5) session(6) … starttime(22). */
  rest = g_strdup (close + 1);
  fields = split_fields (rest);
  if (fields->len < 20)
    return FALSE;

  stat->state = ((const char *) g_ptr_array_index (fields, 0))[0];
  stat->ppid = atoi (g_ptr_array_index (fields, 1));
  stat->pgid = atoi (g_ptr_array_index (fields, 2));
  stat->sid = atoi (g_ptr_array_index (fields, 3));
  stat->start_time = g_ascii_strtoull (g_ptr_array_index (fields, 19), NULL, 10);

  return TRUE;
}

static gboolean
parse_proc_net_tcp_line (char         *line,
                         SeroListener *listener)
{
  g_autoptr(GPtrArray) fields = split_fields (line);
  const char *local;
  const char *colon;

  /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode … */
  if (fields->len < 10 || !g_str_has_suffix (g_ptr_array_index (fields, 0), ":") ||
      !g_str_equal (g_ptr_array_index (fields, 3), "0A"))
    return FALSE;

  local = g_ptr_array_index (fields, 1);
  if ((colon = strrchr (local, ':')) == NULL)
    return FALSE;

  memset (listener, 0, sizeof *listener);
  listener->port = (guint) strtoul (colon + 1, NULL, 16);
  listener->inode = g_ascii_strtoull (g_ptr_array_index (fields, 9), NULL, 10);

  /* The address is hex in host byte order, 8 digits for IPv4 and 32 for
   * IPv6; all zeros is the any-address either way. Anything else (loopback,
   * one interface) is reachable only from inside. */
  listener->public_address = TRUE;
  for (const char *c = local; c < colon; c++)
    if (*c != '0')
      listener->public_address = FALSE;

  return TRUE;
}

/**
 * sero_port_scan_parse_proc_net_tcp:
 * @text: the contents of /proc/net/tcp, /proc/net/tcp6, or both
 *
 * Returns: (transfer full) (element-type SeroListener): listening sockets
 *   (state 0A), one per port, 22, 80 and 443 left out
 */
GArray *
sero_port_scan_parse_proc_net_tcp (const char *text)
{
  GArray *listeners = g_array_new (FALSE, TRUE, sizeof (SeroListener));
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      SeroListener listener;

      if (parse_proc_net_tcp_line (lines[i], &listener))
        add_listener (listeners, &listener);
    }

  return listeners;
}

static gboolean
parse_ss_line (char         *line,
               SeroListener *listener)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree char *copy = g_strdup (line);
  const char *pid_field;
  const char *local;
  const char *colon;
  g_autofree char *address = NULL;
  guint state = G_MAXUINT;

  fields = split_fields (copy);
  for (guint i = 0; i < fields->len && state == G_MAXUINT; i++)
    if (g_str_equal (g_ptr_array_index (fields, i), "LISTEN"))
      state = i;

  /* LISTEN <recv-q> <send-q> <address>:<port> <peer> [users:((…,pid=N,…))] */
  if (state == G_MAXUINT || state + 3 >= fields->len)
    return FALSE;

  local = g_ptr_array_index (fields, state + 3);
  if ((colon = strrchr (local, ':')) == NULL || colon[1] == '\0')
    return FALSE;

  memset (listener, 0, sizeof *listener);
  listener->port = (guint) strtoul (colon + 1, NULL, 10);
  address = g_strndup (local, colon - local);
  listener->public_address = g_strv_contains ((const char * const[]) { "0.0.0.0", "::", "*", "[::]", NULL },
                                              address);
  if ((pid_field = strstr (line, "pid=")) != NULL)
    listener->pid = atoi (pid_field + strlen ("pid="));

  return TRUE;
}

/**
 * sero_port_scan_parse_ss:
 * @text: the output of `ss -tlnp`
 *
 * The fallback for a runtime whose /proc/net/tcp cannot be read: the
 * original's pattern, `LISTEN <recvq> <sendq> <addr>:<port>`, public for
 * 0.0.0.0, ::, * and [::].
 *
 * Returns: (transfer full) (element-type SeroListener): one per port
 */
GArray *
sero_port_scan_parse_ss (const char *text)
{
  GArray *listeners = g_array_new (FALSE, TRUE, sizeof (SeroListener));
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      SeroListener listener;

      if (parse_ss_line (lines[i], &listener))
        add_listener (listeners, &listener);
    }

  return listeners;
}

gboolean
sero_port_scan_has_port (GArray *listeners,
                         guint   port)
{
  for (guint i = 0; listeners != NULL && i < listeners->len; i++)
    if (g_array_index (listeners, SeroListener, i).port == port)
      return TRUE;

  return FALSE;
}

/* "… 3 -> socket:[12345]" from `ls -l /proc/<pid>/fd`. */
static gboolean
parse_socket_link (const char *line,
                   guint64    *inode)
{
  const char *start = strstr (line, "socket:[");
  char *end = NULL;

  if (start == NULL)
    return FALSE;

  start += strlen ("socket:[");
  *inode = g_ascii_strtoull (start, &end, 10);

  return end != start && *end == ']';
}

typedef enum
{
  SECTION_NONE,
  SECTION_SESSION,
  SECTION_TCP,
  SECTION_SS,
} Section;

/**
 * sero_port_probe_parse:
 * @text: what the probe script printed
 *
 * The script prints `@alive` when the pid lives, then for each process of
 * the pid's session `@member <pid>` followed by its socket links (and
 * `@stat <line>` for the pid itself), then `@tcp` and the /proc/net/tcp{,6}
 * tables, or `@ss` and the output of `ss -tlnp`.
 *
 * Returns: (transfer full): the parsed probe
 */
SeroPortProbe *
sero_port_probe_parse (const char *text)
{
  SeroPortProbe *probe = g_new0 (SeroPortProbe, 1);
  g_autoptr(GString) table = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  Section section = SECTION_NONE;

  probe->session_inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  probe->session_pids = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      guint64 inode;

      if (g_str_equal (line, "@alive"))
        probe->alive = TRUE;
      else if (g_str_has_prefix (line, "@member "))
        {
          int pid = atoi (line + strlen ("@member "));

          if (pid > 0)
            g_array_append_val (probe->session_pids, pid);
          section = SECTION_SESSION;
        }
      else if (g_str_has_prefix (line, "@unreadable "))
        probe->session_unreadable = TRUE;
      else if (g_str_has_prefix (line, "@stat "))
        sero_proc_stat_parse (line + strlen ("@stat "), &probe->leader);
      else if (g_str_equal (line, "@tcp") || g_str_equal (line, "@ss"))
        {
          section = g_str_equal (line, "@tcp") ? SECTION_TCP : SECTION_SS;
          probe->have_table = TRUE;
        }
      else if (section == SECTION_SESSION && parse_socket_link (line, &inode))
        g_array_append_val (probe->session_inodes, inode);
      else if (section == SECTION_TCP || section == SECTION_SS)
        g_string_append_printf (table, "%s\n", line);
    }

  /* An exited leader stays a zombie until its parent reaps it, and the
   * parent of a setsid'd orphan is whatever init is, which may take its
   * time. A zombie has exited. */
  if (probe->leader.state == 'Z')
    probe->alive = FALSE;

  if (section == SECTION_SS)
    probe->listeners = sero_port_scan_parse_ss (table->str);
  else
    probe->listeners = sero_port_scan_parse_proc_net_tcp (table->str);

  return probe;
}

static gboolean
session_owns (const SeroPortProbe *probe,
              const SeroListener  *listener)
{
  for (guint i = 0; listener->inode != 0 && i < probe->session_inodes->len; i++)
    if (g_array_index (probe->session_inodes, guint64, i) == listener->inode)
      return TRUE;

  for (guint i = 0; listener->pid != 0 && i < probe->session_pids->len; i++)
    if (g_array_index (probe->session_pids, int, i) == listener->pid)
      return TRUE;

  return FALSE;
}

/**
 * sero_port_probe_choose_new_port:
 * @before: (element-type SeroListener): the listeners before the start
 *
 * The port a just-started server opened: a listener that was not there
 * before. On the host other programs open ports too, so when the probe
 * could see the session's sockets only a port the session holds counts;
 * when it could not (no session members visible, a member's fds not
 * readable, or `ss` without the owner), any new port does, as in the
 * original. The lowest wins, so the
 * answer does not depend on the table's order.
 *
 * Returns: the port, or 0 when none qualifies yet
 */
guint
sero_port_probe_choose_new_port (const SeroPortProbe *probe,
                                 GArray              *before)
{
  gboolean can_tell_owner = FALSE;
  guint best = 0;

  g_return_val_if_fail (probe != NULL, 0);

  for (guint i = 0; i < probe->listeners->len; i++)
    {
      const SeroListener *listener = &g_array_index (probe->listeners, SeroListener, i);

      if ((listener->inode != 0 || listener->pid != 0) && probe->session_pids->len > 0 &&
          !probe->session_unreadable)
        can_tell_owner = TRUE;
    }

  for (guint i = 0; i < probe->listeners->len; i++)
    {
      const SeroListener *listener = &g_array_index (probe->listeners, SeroListener, i);

      if (sero_port_scan_has_port (before, listener->port))
        continue;
      if (can_tell_owner && !session_owns (probe, listener))
        continue;
      if (best == 0 || listener->port < best)
        best = listener->port;
    }

  return best;
}

void
sero_port_probe_free (SeroPortProbe *probe)
{
  if (probe == NULL)
    return;

  g_clear_pointer (&probe->listeners, g_array_unref);
  g_clear_pointer (&probe->session_inodes, g_array_unref);
  g_clear_pointer (&probe->session_pids, g_array_unref);
  g_free (probe);
}

/**
 * sero_port_owners_parse:
 * @text: what the owner script printed: `@self <pid>`, `@owner <pid>` for
 *   each process holding the port's listening socket, `@stat <line>` for
 *   each of those, the leader and the script itself
 *
 * Returns: (transfer full): the parsed owners
 */
SeroPortOwners *
sero_port_owners_parse (const char *text)
{
  SeroPortOwners *owners = g_new0 (SeroPortOwners, 1);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  owners->owner_pids = g_array_new (FALSE, FALSE, sizeof (int));
  owners->stats = g_array_new (FALSE, FALSE, sizeof (SeroProcStat));

  for (guint i = 0; lines[i]; i++)
    {
      SeroProcStat stat;

      if (g_str_has_prefix (lines[i], "@self "))
        owners->self_pid = atoi (lines[i] + strlen ("@self "));
      else if (g_str_has_prefix (lines[i], "@owner "))
        {
          int pid = atoi (lines[i] + strlen ("@owner "));
          gboolean seen = FALSE;

          for (guint j = 0; j < owners->owner_pids->len; j++)
            seen |= g_array_index (owners->owner_pids, int, j) == pid;
          if (pid > 0 && !seen)
            g_array_append_val (owners->owner_pids, pid);
        }
      else if (g_str_has_prefix (lines[i], "@stat ") && sero_proc_stat_parse (lines[i] + strlen ("@stat "), &stat))
        g_array_append_val (owners->stats, stat);
    }

  return owners;
}

const SeroProcStat *
sero_port_owners_lookup_stat (const SeroPortOwners *owners,
                              int                   pid)
{
  for (guint i = 0; i < owners->stats->len; i++)
    if (g_array_index (owners->stats, SeroProcStat, i).pid == pid)
      return &g_array_index (owners->stats, SeroProcStat, i);

  return NULL;
}

static void
add_target (GPtrArray *targets,
            char      *target)
{
  for (guint i = 0; i < targets->len; i++)
    if (g_str_equal (g_ptr_array_index (targets, i), target))
      {
        g_free (target);
        return;
      }

  g_ptr_array_add (targets, target);
}

static gboolean
group_is_protected (int pgid,
                    int self_pgid,
                    int protected_pgid)
{
  return pgid <= 1 || pgid == self_pgid || pgid == protected_pgid;
}

/**
 * sero_port_owners_plan_kill:
 * @leader: the server's recorded pid, which setsid made its process group
 *   and session id; 0 when unknown
 * @leader_start_time: its recorded start time; 0 when unknown
 * @protected_pgid: a process group never to signal (Sero's own on the
 *   host), or 0
 *
 * Who to signal to stop a server (reference §4.3, "killPort"): the process
 * group of every process holding the listening socket, so a `setsid` tree
 * dies whole, unless that group is 0 or 1 or the script's or Sero's own, in
 * which case only the process itself; and the recorded group, but only when
 * its leader is still the process Sero started (same start time), never a
 * later process that got the same pid.
 *
 * Returns: (transfer full): `kill` operands: "-PGID" for a group, "PID"
 */
GStrv
sero_port_owners_plan_kill (const SeroPortOwners *owners,
                            int                   leader,
                            guint64               leader_start_time,
                            int                   protected_pgid)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  const SeroProcStat *self_stat;
  const SeroProcStat *leader_stat;
  int self_pgid = 0;

  g_return_val_if_fail (owners != NULL, NULL);

  if ((self_stat = sero_port_owners_lookup_stat (owners, owners->self_pid)) != NULL)
    self_pgid = self_stat->pgid;

  for (guint i = 0; i < owners->owner_pids->len; i++)
    {
      int pid = g_array_index (owners->owner_pids, int, i);
      const SeroProcStat *stat = sero_port_owners_lookup_stat (owners, pid);

      if (stat != NULL && !group_is_protected (stat->pgid, self_pgid, protected_pgid))
        add_target (targets, g_strdup_printf ("-%d", stat->pgid));
      else if (pid != owners->self_pid)
        add_target (targets, g_strdup_printf ("%d", pid));
    }

  if (leader > 1 &&
      (leader_stat = sero_port_owners_lookup_stat (owners, leader)) != NULL &&
      leader_stat->pgid == leader &&
      (leader_start_time == 0 || leader_stat->start_time == leader_start_time) &&
      !group_is_protected (leader, self_pgid, protected_pgid))
    add_target (targets, g_strdup_printf ("-%d", leader));

  g_ptr_array_add (targets, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&targets), FALSE);
}

void
sero_port_owners_free (SeroPortOwners *owners)
{
  if (owners == NULL)
    return;

  g_clear_pointer (&owners->owner_pids, g_array_unref);
  g_clear_pointer (&owners->stats, g_array_unref);
  g_free (owners);
}
