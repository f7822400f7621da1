/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero-dev-server.h"
#include "sero-port-scan.h"

/* The pure parts of dev-server detection, fed output recorded from the
 * busybox test image and from a host (fixtures/): listener tables, the
 * probe and owner scripts, /proc/<pid>/stat, the id, the URL order and the
 * start line. */

static char *
fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "integration", "devserver", "fixtures", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static const SeroListener *
find_port (GArray *listeners,
           guint   port)
{
  for (guint i = 0; i < listeners->len; i++)
    if (g_array_index (listeners, SeroListener, i).port == port)
      return &g_array_index (listeners, SeroListener, i);

  return NULL;
}

/* IPv4 and IPv6 tables of a host: 0.0.0.0:41875 (also on [::]), 127.0.0.1:5173,
 * [::]:41873, [::1]:41874; ssh on 22 and a web server on 80 ignored; an
 * established connection on 5173 is not a listener. */
static void
test_proc_net_tcp (void)
{
  g_autofree char *text = fixture ("proc-net-tcp-host.txt");
  g_autoptr(GArray) listeners = sero_port_scan_parse_proc_net_tcp (text);
  const SeroListener *l;

  g_assert_cmpuint (listeners->len, ==, 4);

  l = &g_array_index (listeners, SeroListener, 0);
  g_assert_cmpuint (l->port, ==, 41875);
  g_assert_true (l->public_address);
  g_assert_cmpuint (l->inode, ==, 532553);

  l = &g_array_index (listeners, SeroListener, 1);
  g_assert_cmpuint (l->port, ==, 5173);
  g_assert_false (l->public_address);
  g_assert_cmpuint (l->inode, ==, 530673);

  g_assert_nonnull ((l = find_port (listeners, 41873)));
  g_assert_true (l->public_address);
  g_assert_nonnull ((l = find_port (listeners, 41874)));
  g_assert_false (l->public_address);

  g_assert_null (find_port (listeners, 22));
  g_assert_null (find_port (listeners, 80));
  g_assert_true (sero_port_scan_has_port (listeners, 5173));
  g_assert_false (sero_port_scan_has_port (listeners, 8080));
}

static void
test_proc_net_tcp_garbage (void)
{
  g_autoptr(GArray) empty = sero_port_scan_parse_proc_net_tcp ("");
  g_autoptr(GArray) none = sero_port_scan_parse_proc_net_tcp (NULL);
  g_autoptr(GArray) junk = sero_port_scan_parse_proc_net_tcp ("0: zz\n   1: 0100007F 0A\nnot a table at all\n"
                                                             "   2: 0100007F:0000 00000000:0000 0A 0 0 0 0 0 0 1\n");

  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (junk->len, ==, 0);
}

static void
test_ss (void)
{
  g_autofree char *text = fixture ("ss-tlnp.txt");
  g_autoptr(GArray) listeners = sero_port_scan_parse_ss (text);
  const SeroListener *l;

  g_assert_cmpuint (listeners->len, ==, 4);

  g_assert_nonnull ((l = find_port (listeners, 41875)));
  g_assert_true (l->public_address);
  g_assert_cmpint (l->pid, ==, 12156);
  g_assert_cmpuint (l->inode, ==, 0);

  g_assert_nonnull ((l = find_port (listeners, 41873)));
  g_assert_true (l->public_address);

  g_assert_nonnull ((l = find_port (listeners, 41874)));
  g_assert_false (l->public_address);

  g_assert_nonnull ((l = find_port (listeners, 5173)));
  g_assert_false (l->public_address);
  g_assert_cmpint (l->pid, ==, 4242);

  g_assert_null (find_port (listeners, 22));
}

static void
test_proc_stat (void)
{
  SeroProcStat stat;

  g_assert_true (sero_proc_stat_parse ("12 (busybox) S 1 12 12 0 -1 4194560 143 0 0 0 0 0 0 0 20 0 1 0 804332 "
                                       "2322432 348 18446744073709551615 4198400 5785993 0\n", &stat));
  g_assert_cmpint (stat.pid, ==, 12);
  g_assert_cmpint (stat.state, ==, 'S');
  g_assert_cmpint (stat.ppid, ==, 1);
  g_assert_cmpint (stat.pgid, ==, 12);
  g_assert_cmpint (stat.sid, ==, 12);
  g_assert_cmpuint (stat.start_time, ==, 804332);

  /* A command name may hold spaces and parentheses. */
  g_assert_true (sero_proc_stat_parse ("4242 (node (vite) dev) S 4200 4200 4199 0 -1 4194560 1 0 0 0 0 0 0 0 "
                                       "20 0 1 0 99887766 1 1 1", &stat));
  g_assert_cmpint (stat.pid, ==, 4242);
  g_assert_cmpint (stat.ppid, ==, 4200);
  g_assert_cmpint (stat.pgid, ==, 4200);
  g_assert_cmpint (stat.sid, ==, 4199);
  g_assert_cmpuint (stat.start_time, ==, 99887766);

  g_assert_false (sero_proc_stat_parse ("", &stat));
  g_assert_false (sero_proc_stat_parse ("12 (short) S 1 2 3", &stat));
  g_assert_false (sero_proc_stat_parse ("x (sh) S 1 12 12 0 -1 4194560 143 0 0 0 0 0 0 0 20 0 1 0 1 2 3", &stat));
}

/* Recorded in the test image: the session of pid 12 (busybox httpd on
 * 0.0.0.0:8080) and, from another session, httpd on 127.0.0.1:5173. */
static void
test_probe (void)
{
  g_autofree char *text = fixture ("probe-busybox.txt");
  g_autoptr(SeroPortProbe) probe = sero_port_probe_parse (text);
  g_autoptr(GArray) before = g_array_new (FALSE, TRUE, sizeof (SeroListener));
  SeroListener old = { .port = 8080 };

  g_assert_true (probe->alive);
  g_assert_true (probe->have_table);
  g_assert_cmpuint (probe->session_pids->len, ==, 1);
  g_assert_cmpint (g_array_index (probe->session_pids, int, 0), ==, 12);
  g_assert_cmpuint (probe->session_inodes->len, ==, 1);
  g_assert_cmpuint (g_array_index (probe->session_inodes, guint64, 0), ==, 531697);
  g_assert_cmpint (probe->leader.pid, ==, 12);
  g_assert_cmpuint (probe->leader.start_time, ==, 804332);
  g_assert_cmpuint (probe->listeners->len, ==, 2);

  /* Both ports are new, but only 8080 is the session's: 5173 is lower and
   * still not taken for ours. */
  g_assert_cmpuint (sero_port_probe_choose_new_port (probe, before), ==, 8080);

  g_array_append_val (before, old);
  g_assert_cmpuint (sero_port_probe_choose_new_port (probe, before), ==, 0);
}

/* A member whose fds cannot be listed (another user's process): ownership
 * cannot be told, so any new port counts rather than none ever. */
static void
test_probe_unreadable (void)
{
  g_autofree char *recorded = fixture ("probe-busybox.txt");
  g_autofree char *text = g_strconcat ("@member 40\n@unreadable 40\n", recorded, NULL);
  g_autoptr(SeroPortProbe) probe = sero_port_probe_parse (text);
  g_autoptr(GArray) before = g_array_new (FALSE, TRUE, sizeof (SeroListener));

  g_assert_true (probe->session_unreadable);
  g_assert_cmpuint (sero_port_probe_choose_new_port (probe, before), ==, 5173);
}

/* A leader that exited but was not reaped yet has exited. */
static void
test_probe_zombie (void)
{
  g_autoptr(SeroPortProbe) probe = sero_port_probe_parse (
    "@alive\n@member 12\n@stat 12 (vite) Z 1 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 804332 0 0\n@tcp\n");

  g_assert_false (probe->alive);
  g_assert_cmpint (probe->leader.state, ==, 'Z');
}

/* Without the session's sockets (only the table), any new port counts and
 * the lowest wins, as in the original. */
static void
test_probe_without_owner (void)
{
  g_autofree char *table = fixture ("proc-net-tcp-host.txt");
  g_autofree char *text = g_strconcat ("@tcp\n", table, NULL);
  g_autoptr(SeroPortProbe) probe = sero_port_probe_parse (text);
  g_autoptr(GArray) before = sero_port_scan_parse_proc_net_tcp (
    "   0: 0100007F:1435 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 530673 1 0 100 0 0 10 0\n");
  g_autoptr(SeroPortProbe) dead = sero_port_probe_parse ("@member 9\n@tcp\n");

  g_assert_false (probe->alive);
  g_assert_cmpuint (probe->session_pids->len, ==, 0);
  g_assert_cmpuint (sero_port_probe_choose_new_port (probe, before), ==, 41873);

  g_assert_false (dead->alive);
  g_assert_true (dead->have_table);
  g_assert_cmpuint (dead->listeners->len, ==, 0);
}

/* `ss` instead of /proc/net/tcp: the session is matched by pid. */
static void
test_probe_ss (void)
{
  g_autofree char *table = fixture ("ss-tlnp.txt");
  g_autofree char *text = g_strconcat ("@alive\n@member 4242\n@ss\n", table, NULL);
  g_autoptr(SeroPortProbe) probe = sero_port_probe_parse (text);
  g_autoptr(GArray) before = g_array_new (FALSE, TRUE, sizeof (SeroListener));

  g_assert_true (probe->alive);
  g_assert_cmpuint (probe->listeners->len, ==, 4);
  g_assert_cmpuint (sero_port_probe_choose_new_port (probe, before), ==, 5173);
}

static void
test_owners (void)
{
  g_autofree char *text = fixture ("owners-busybox.txt");
  g_autoptr(SeroPortOwners) owners = sero_port_owners_parse (text);
  g_auto(GStrv) plan = NULL;
  g_auto(GStrv) reused = NULL;

  g_assert_cmpint (owners->self_pid, ==, 47);
  g_assert_cmpuint (owners->owner_pids->len, ==, 1);
  g_assert_cmpint (g_array_index (owners->owner_pids, int, 0), ==, 12);
  g_assert_nonnull (sero_port_owners_lookup_stat (owners, 12));
  g_assert_cmpint (sero_port_owners_lookup_stat (owners, 47)->pgid, ==, 47);

  /* The listener's group, once, though it is also the leader's. */
  plan = sero_port_owners_plan_kill (owners, 12, 804332, 0);
  g_assert_cmpstrv (plan, ((const char * const[]) { "-12", NULL }));

  /* A leader whose start time differs is another process; the listener's
   * group is still stopped because it holds the port. */
  reused = sero_port_owners_plan_kill (owners, 12, 1, 0);
  g_assert_cmpstrv (reused, ((const char * const[]) { "-12", NULL }));
}

static void
test_owners_protected_groups (void)
{
  g_autoptr(SeroPortOwners) owners = sero_port_owners_parse (
    "@self 47\n"
    "@owner 13\n"
    "@owner 14\n"
    "@owner 15\n"
    "@owner 13\n"
    "@stat 13 (httpd) S 1 47 47 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1 1\n"
    "@stat 14 (init child) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 101 1 1\n"
    "@stat 15 (node) S 1 900 900 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 102 1 1\n"
    "@stat 30 (vite) S 1 30 30 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 1 1\n"
    "@stat 47 (sh) R 0 47 47 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 103 1 1\n");
  g_auto(GStrv) plan = NULL;
  g_auto(GStrv) leader_only = NULL;
  g_auto(GStrv) leader_reused = NULL;
  g_auto(GStrv) protected_group = NULL;

  g_assert_cmpuint (owners->owner_pids->len, ==, 3);

  /* 13 is in the script's own group and 14 in group 1: only the processes
   * themselves. 15's group 900 is fair game. */
  plan = sero_port_owners_plan_kill (owners, 0, 0, 0);
  g_assert_cmpstrv (plan, ((const char * const[]) { "13", "14", "-900", NULL }));

  /* Sero's own group on the host is never signalled either. */
  protected_group = sero_port_owners_plan_kill (owners, 0, 0, 900);
  g_assert_cmpstrv (protected_group, ((const char * const[]) { "13", "14", "15", NULL }));

  /* The recorded leader's group, only while it is the same process. */
  {
    g_autoptr(SeroPortOwners) leader = sero_port_owners_parse (
      "@self 47\n@stat 30 (vite) S 1 30 30 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 1 1\n");

    leader_only = sero_port_owners_plan_kill (leader, 30, 555, 0);
    g_assert_cmpstrv (leader_only, ((const char * const[]) { "-30", NULL }));
    leader_reused = sero_port_owners_plan_kill (leader, 30, 554, 0);
    g_assert_cmpstrv (leader_reused, ((const char * const[]) { NULL }));
  }
}

static void
test_url (void)
{
  g_autofree char *published = sero_dev_server_preferred_url (8080, 41000, "10.88.0.5");
  g_autofree char *by_ip = sero_dev_server_preferred_url (9999, 0, "10.88.0.5");
  g_autofree char *by_ip6 = sero_dev_server_preferred_url (9999, 0, "fd00::5");
  g_autofree char *local = sero_dev_server_preferred_url (9999, 0, NULL);
  g_autofree char *empty_ip = sero_dev_server_preferred_url (9999, 0, "");
  g_autofree char *host = sero_dev_server_preferred_url (5173, 5173, NULL);

  g_assert_cmpstr (published, ==, "http://127.0.0.1:41000");
  g_assert_cmpstr (by_ip, ==, "http://10.88.0.5:9999");
  g_assert_cmpstr (by_ip6, ==, "http://[fd00::5]:9999");
  g_assert_cmpstr (local, ==, "http://localhost:9999");
  g_assert_cmpstr (empty_ip, ==, "http://localhost:9999");
  g_assert_cmpstr (host, ==, "http://127.0.0.1:5173");
}

static void
test_id (void)
{
  g_autofree char *id = sero_dev_server_make_id ("shop", NULL, NULL, 5173);
  g_autofree char *card = sero_dev_server_make_id ("shop", "card-preview", "c1", 3000);
  g_autofree char *empty = sero_dev_server_make_id ("shop", "", "", 1);
  g_autofree char *workspace_id = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *root_card = NULL;
  guint port = 0;

  g_assert_cmpstr (id, ==, "shop:workspace:root:5173");
  g_assert_cmpstr (card, ==, "shop:card-preview:c1:3000");
  g_assert_cmpstr (empty, ==, "shop:workspace:root:1");

  g_assert_true (sero_dev_server_parse_id (card, &workspace_id, &scope, &card_id, &port));
  g_assert_cmpstr (workspace_id, ==, "shop");
  g_assert_cmpstr (scope, ==, "card-preview");
  g_assert_cmpstr (card_id, ==, "c1");
  g_assert_cmpuint (port, ==, 3000);

  g_assert_true (sero_dev_server_parse_id (id, NULL, NULL, &root_card, NULL));
  g_assert_null (root_card);

  g_assert_false (sero_dev_server_parse_id (NULL, NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id ("shop:workspace:5173", NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id ("shop:workspace:root:0", NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id ("shop:workspace:root:70000", NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id ("shop:workspace:root:80x", NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id (":workspace:root:80", NULL, NULL, NULL, NULL));
  g_assert_false (sero_dev_server_parse_id ("shop:a:b:c:80", NULL, NULL, NULL, NULL));
}

static void
test_status_strings (void)
{
  SeroDevServerStatus status = SERO_DEV_SERVER_STATUS_STARTING;

  g_assert_cmpstr (sero_dev_server_status_to_string (SERO_DEV_SERVER_STATUS_FAILED), ==, "failed");
  g_assert_true (sero_dev_server_status_from_string ("stopped", &status));
  g_assert_cmpint (status, ==, SERO_DEV_SERVER_STATUS_STOPPED);
  g_assert_false (sero_dev_server_status_from_string ("exploded", &status));
  g_assert_false (sero_dev_server_status_from_string (NULL, &status));
  g_assert_cmpint (status, ==, SERO_DEV_SERVER_STATUS_STOPPED);
}

/* Every level quoted: a command with quotes and a log path with a space
 * reach the inner shell intact (the process tests run such a line). */
static void
test_start_command (void)
{
  g_autofree char *line = sero_dev_server_build_start_command ("npm run dev -- --host 0.0.0.0", "/tmp/s.log");
  g_autofree char *tricky = sero_dev_server_build_start_command ("echo 'it''s' && serve", "/tmp/a b.log");
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (line, ==,
                   "setsid sh -c 'exec > '\\''/tmp/s.log'\\'' 2>&1 < /dev/null\n"
                   "npm run dev -- --host 0.0.0.0' > /dev/null 2>&1 < /dev/null & echo $!");

  /* What the outer shell hands to `sh -c`. */
  g_assert_true (g_shell_parse_argv (tricky, NULL, &words, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (words[0], ==, "setsid");
  g_assert_cmpstr (words[1], ==, "sh");
  g_assert_cmpstr (words[2], ==, "-c");
  g_assert_cmpstr (words[3], ==, "exec > '/tmp/a b.log' 2>&1 < /dev/null\necho 'it''s' && serve");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/devserver/parse/proc-net-tcp", test_proc_net_tcp);
  g_test_add_func ("/sero/devserver/parse/proc-net-tcp-garbage", test_proc_net_tcp_garbage);
  g_test_add_func ("/sero/devserver/parse/ss", test_ss);
  g_test_add_func ("/sero/devserver/parse/proc-stat", test_proc_stat);
  g_test_add_func ("/sero/devserver/parse/probe", test_probe);
  g_test_add_func ("/sero/devserver/parse/probe-unreadable", test_probe_unreadable);
  g_test_add_func ("/sero/devserver/parse/probe-zombie", test_probe_zombie);
  g_test_add_func ("/sero/devserver/parse/probe-without-owner", test_probe_without_owner);
  g_test_add_func ("/sero/devserver/parse/probe-ss", test_probe_ss);
  g_test_add_func ("/sero/devserver/parse/owners", test_owners);
  g_test_add_func ("/sero/devserver/parse/owners-protected-groups", test_owners_protected_groups);
  g_test_add_func ("/sero/devserver/url", test_url);
  g_test_add_func ("/sero/devserver/id", test_id);
  g_test_add_func ("/sero/devserver/status-strings", test_status_strings);
  g_test_add_func ("/sero/devserver/start-command", test_start_command);

  return g_test_run ();
}
