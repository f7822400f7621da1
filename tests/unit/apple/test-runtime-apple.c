/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sero-runtime-apple.h"
#include "sero-runtime-apple-private.h"
#include "sero-runtime-oci.h"

/* The Apple container backend on Linux, against fake-container.py: a
 * stand-in for /usr/local/bin/container that keeps its state in a folder,
 * logs every call and answers with the real CLI's JSON and error texts
 * (reference §2). Each lifecycle branch is set up through the fake's state
 * file and checked through its call log. The parsers are fed recorded
 * inspect documents from fixtures/. */

#define WORKSPACE_ID "demo"
#define CID          "sero-" WORKSPACE_ID

typedef struct
{
  char          *dir;
  char          *state_dir;
  char          *storage_dir;
  char          *workspace_dir;
  char          *ui_root;
  SeroWorkspace *workspace;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  fx->dir = g_dir_make_tmp ("sero-apple-XXXXXX", NULL);
  g_assert_nonnull (fx->dir);
  fx->state_dir = g_build_filename (fx->dir, "state", NULL);
  fx->storage_dir = g_build_filename (fx->dir, "storage", NULL);
  fx->workspace_dir = g_build_filename (fx->dir, "workspace", NULL);
  fx->ui_root = g_build_filename (fx->dir, "home", ".sero-ui", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fx->state_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fx->storage_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fx->workspace_dir, 0700), ==, 0);

  /* Set before any runtime exists, so every spawned fake sees them. */
  g_setenv ("FAKE_CONTAINER_STATE", fx->state_dir, TRUE);
  g_setenv ("SERO_APPLE_CONTAINER_STORAGE", fx->storage_dir, TRUE);
  g_setenv ("SERO_APPLE_CONTAINER_BIN", FAKE_CONTAINER, TRUE);
  g_unsetenv ("SERO_NODE_IMAGE");

  fx->workspace = sero_workspace_new (WORKSPACE_ID, fx->workspace_dir);
}

static void
drain_main_context (void)
{
  /* Status notifications from worker threads arrive as idle sources. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  drain_main_context ();
  g_clear_object (&fx->workspace);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->state_dir);
  g_free (fx->storage_dir);
  g_free (fx->workspace_dir);
  g_free (fx->ui_root);
}

static SeroRuntime *
new_runtime (Fixture *fx)
{
  return sero_runtime_apple_new (fx->workspace, fx->ui_root);
}

/* The fake's state: read, change one member, write back. */
static JsonObject *
state_read (Fixture *fx)
{
  g_autofree char *path = g_build_filename (fx->state_dir, "state.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return json_object_new ();

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
state_write (Fixture    *fx,
             JsonObject *state)
{
  g_autofree char *path = g_build_filename (fx->state_dir, "state.json", NULL);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), state);
  g_autofree char *text = json_to_string (root, TRUE);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static JsonNode *
json_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

G_GNUC_PRINTF (3, 4)
static void
state_set (Fixture    *fx,
           const char *member,
           const char *format,
           ...)
{
  g_autoptr(JsonObject) state = state_read (fx);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  json_object_set_member (state, member, json_from (text));
  state_write (fx, state);
}

static JsonObject *
state_container (Fixture    *fx,
                 JsonObject *state,
                 const char *cid)
{
  JsonObject *containers;

  if (!json_object_has_member (state, "containers"))
    return NULL;
  containers = json_object_get_object_member (state, "containers");
  if (!json_object_has_member (containers, cid))
    return NULL;

  return json_object_get_object_member (containers, cid);
}

/* Puts a container into the fake. */
G_GNUC_PRINTF (3, 4)
static void
state_put_container (Fixture    *fx,
                     const char *cid,
                     const char *format,
                     ...)
{
  g_autoptr(JsonObject) state = state_read (fx);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (!json_object_has_member (state, "containers"))
    json_object_set_object_member (state, "containers", json_object_new ());
  json_object_set_member (json_object_get_object_member (state, "containers"), cid, json_from (text));
  state_write (fx, state);
}

static void
state_set_status (Fixture    *fx,
                  const char *status)
{
  g_autoptr(JsonObject) state = state_read (fx);
  JsonObject *container = state_container (fx, state, CID);

  g_assert_nonnull (container);
  json_object_set_string_member (container, "status", status);
  state_write (fx, state);
}

static const char *
container_status (Fixture    *fx,
                  JsonObject *state)
{
  JsonObject *container = state_container (fx, state, CID);

  return container ? json_object_get_string_member (container, "status") : NULL;
}

/* The call log: one JSON array of arguments a line. */
static GPtrArray *
calls_read (Fixture *fx)
{
  g_autofree char *path = g_build_filename (fx->state_dir, "calls.log", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return calls;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonArray *array;
      GStrv argv;

      if (lines[i][0] == '\0')
        continue;
      node = json_from (lines[i]);
      array = json_node_get_array (node);
      argv = g_new0 (char *, json_array_get_length (array) + 1);
      for (guint j = 0; j < json_array_get_length (array); j++)
        argv[j] = g_strdup (json_array_get_string_element (array, j));
      g_ptr_array_add (calls, argv);
    }

  return calls;
}

static void
calls_clear (Fixture *fx)
{
  g_autofree char *path = g_build_filename (fx->state_dir, "calls.log", NULL);

  g_unlink (path);
}

static char *
call_text (GStrv argv)
{
  return g_strjoinv (" ", argv);
}

/* How many calls begin with @prefix (arguments joined by spaces). */
static guint
count_calls (Fixture    *fx,
             const char *prefix)
{
  g_autoptr(GPtrArray) calls = calls_read (fx);
  guint n = 0;

  for (guint i = 0; i < calls->len; i++)
    {
      g_autofree char *text = call_text (g_ptr_array_index (calls, i));

      if (g_str_equal (text, prefix) || (g_str_has_prefix (text, prefix) && text[strlen (prefix)] == ' '))
        n++;
    }

  return n;
}

/* The verbs called, in order, as one string: "inspect delete run …". */
static char *
call_verbs (Fixture *fx)
{
  g_autoptr(GPtrArray) calls = calls_read (fx);
  g_autoptr(GString) verbs = g_string_new (NULL);

  for (guint i = 0; i < calls->len; i++)
    {
      GStrv argv = g_ptr_array_index (calls, i);

      if (verbs->len)
        g_string_append_c (verbs, ' ');
      g_string_append (verbs, argv[0]);
      if (g_str_equal (argv[0], "system"))
        g_string_append_printf (verbs, "-%s", argv[1]);
    }

  return g_string_free (g_steal_pointer (&verbs), FALSE);
}

static GStrv
find_call (Fixture    *fx,
           const char *verb)
{
  g_autoptr(GPtrArray) calls = calls_read (fx);

  for (guint i = 0; i < calls->len; i++)
    {
      GStrv argv = g_ptr_array_index (calls, i);

      if (g_str_equal (argv[0], verb))
        return g_strdupv (argv);
    }

  return NULL;
}

static char *
labels_json (Fixture    *fx,
             const char *id,
             const char *root)
{
  return g_strdup_printf ("{\"ai.sero.managed\": \"true\", \"ai.sero.runtime\": \"apple-container\", "
                          "\"ai.sero.workspaceId\": \"%s\", \"ai.sero.workspacePath\": \"%s\", "
                          "\"ai.sero.installationRoot\": \"%s\"}",
                          id, fx->workspace_dir, root);
}

static gboolean
ensure (SeroRuntime  *runtime,
        GError      **error)
{
  gboolean ok = sero_runtime_ensure_sync (runtime, NULL, error);

  drain_main_context ();
  return ok;
}

static void
assert_running (SeroRuntime *runtime)
{
  g_autofree char *ip = sero_runtime_dup_ip_address (runtime);

  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_RUNNING);
  g_assert_cmpstr (ip, ==, "192.168.64.7");
}

/* ---- parsers and rules, on recorded documents ---- */

static char *
read_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (APPLE_FIXTURES_DIR, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_parse_running (void)
{
  g_autofree char *json = read_fixture ("inspect-running.json");
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (_sero_apple_inspection_parse (&inspection, json, &error));
  g_assert_no_error (error);

  g_assert_true (inspection.exists);
  g_assert_true (inspection.running);
  g_assert_cmpstr (inspection.status, ==, "running");
  g_assert_cmpstr (inspection.image, ==, "ghcr.io/sero-labs/sero-node:latest");
  g_assert_cmpstr (inspection.ip_address, ==, "192.168.64.3");
  g_assert_cmpint (inspection.cpus, ==, 2);
  g_assert_cmpint (inspection.memory_bytes, ==, 1073741824);
  /* Seconds since 2001-01-01. */
  g_assert_cmpint (inspection.started_ms, ==, G_GINT64_CONSTANT (1743739300250));
  g_assert_cmpstr (inspection.workspace_mount_source, ==, "/Users/ada/src/demo");
  g_assert_cmpstr (g_hash_table_lookup (inspection.labels, "ai.sero.workspaceId"), ==, "demo");

  /* Loopback or no address count; 0.0.0.0 and UDP do not. */
  g_assert_cmpuint (g_hash_table_size (inspection.published), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (inspection.published, GUINT_TO_POINTER (5173))), ==, 41730);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (inspection.published, GUINT_TO_POINTER (8080))), ==, 41732);
}

static void
test_parse_legacy (void)
{
  g_autofree char *json = read_fixture ("inspect-legacy.json");
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (_sero_apple_inspection_parse (&inspection, json, &error));
  g_assert_no_error (error);

  g_assert_true (inspection.exists);
  g_assert_false (inspection.running);
  g_assert_cmpstr (inspection.status, ==, "stopped");
  g_assert_null (inspection.ip_address);
  g_assert_cmpint (inspection.cpus, ==, 4);
  g_assert_cmpint (inspection.started_ms, ==, G_GINT64_CONSTANT (1735787045678));
  /* The relative source cannot be compared with a path, so it is ignored. */
  g_assert_cmpstr (inspection.workspace_mount_source, ==, "/Users/ada/src/demo");
  g_assert_cmpuint (g_hash_table_size (inspection.labels), ==, 0);

  /* Object entries, found wherever the array sits. */
  g_assert_cmpuint (g_hash_table_size (inspection.published), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (inspection.published, GUINT_TO_POINTER (5173))), ==, 41740);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (inspection.published, GUINT_TO_POINTER (3000))), ==, 41741);
}

static void
test_parse_edge_cases (void)
{
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (_sero_apple_inspection_parse (&inspection, "[]", &error));
  g_assert_no_error (error);
  g_assert_false (inspection.exists);

  g_assert_false (_sero_apple_inspection_parse (&inspection, "not json", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_false (_sero_apple_inspection_parse (&inspection, "[42]", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (_sero_apple_inspection_parse (&inspection, "{\"status\": \"running\"}", &error));
  g_assert_true (inspection.exists);
  g_assert_true (inspection.running);
  g_assert_cmpstr (inspection.image, ==, "unknown");
  g_assert_null (inspection.workspace_mount_source);
}

static void
test_started_date (void)
{
  static const struct {
    const char *json;
    gint64      ms;
  } cases[] = {
    { "1743739300250", G_GINT64_CONSTANT (1743739300250) },     /* ms */
    { "1743739300", G_GINT64_CONSTANT (1743739300000) },        /* Unix seconds */
    { "1743739300.5", G_GINT64_CONSTANT (1743739300500) },
    { "765432100.25", G_GINT64_CONSTANT (1743739300250) },      /* since 2001 */
    { "\"2025-01-02T03:04:05.678Z\"", G_GINT64_CONSTANT (1735787045678) },
    { "\"2025-01-02T04:04:05+01:00\"", G_GINT64_CONSTANT (1735787045000) },
    { "\"yesterday\"", 0 },
    { "null", 0 },
    { "true", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from (cases[i].json);

      g_assert_cmpint (_sero_apple_parse_started_date (node), ==, cases[i].ms);
    }

  g_assert_cmpint (_sero_apple_parse_started_date (NULL), ==, 0);
}

static void
test_error_classifiers (void)
{
  g_assert_true (_sero_apple_is_xpc_error ("Error: interrupted: \"XPC connection error: Connection invalid\""));
  g_assert_true (_sero_apple_is_xpc_error ("Error: Connection invalid"));
  g_assert_true (_sero_apple_is_xpc_error ("Ensure container system service has been started with `container system start`."));
  g_assert_false (_sero_apple_is_xpc_error ("Error: container sero-x not found"));
  g_assert_false (_sero_apple_is_xpc_error (NULL));

  g_assert_true (_sero_apple_is_ghost_error ("The file “config.json” couldn’t be opened because there is no such file."));
  g_assert_true (_sero_apple_is_ghost_error ("The file couldn't be opened because there is no such file."));
  g_assert_true (_sero_apple_is_ghost_error ("config.json: No such file or directory"));
  g_assert_true (_sero_apple_is_ghost_error ("internalError: failed to load config.json"));
  g_assert_false (_sero_apple_is_ghost_error ("No such file or directory"));
  g_assert_false (_sero_apple_is_ghost_error ("Error: notFound: container not found"));

  g_assert_true (_sero_apple_is_not_found_error ("Error: notFound: \"container sero-x not found\""));
  g_assert_true (_sero_apple_is_not_found_error ("No such container: sero-x"));
  g_assert_true (_sero_apple_is_not_found_error ("container sero-x Does Not Exist"));
  g_assert_false (_sero_apple_is_not_found_error ("already exists"));
}

static void
make_inspection (SeroAppleInspection *inspection,
                 const char          *mount_source,
                 ...)
{
  const char *key;
  va_list args;

  _sero_apple_inspection_clear (inspection);
  inspection->exists = TRUE;
  inspection->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  inspection->workspace_mount_source = g_strdup (mount_source);

  va_start (args, mount_source);
  while ((key = va_arg (args, const char *)))
    g_hash_table_insert (inspection->labels, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
}

static void
test_ownership_rules (void)
{
  g_auto(SeroAppleInspection) i = { 0 };
  const char *id = "demo", *path = "/Users/ada/src/demo", *root = "/Users/ada/.sero-ui";

#define BELONGS() _sero_apple_belongs_to_workspace (&i, id, path, root)
#define CURRENT() _sero_apple_has_current_identity (&i, id, path, root)

  /* Everything ours. */
  make_inspection (&i, path, "ai.sero.managed", "true", "ai.sero.runtime", "apple-container",
                   "ai.sero.workspaceId", "demo", "ai.sero.workspacePath", path,
                   "ai.sero.installationRoot", root, NULL);
  g_assert_true (BELONGS ());
  g_assert_true (CURRENT ());

  /* Paths are compared resolved. */
  make_inspection (&i, path, "ai.sero.workspaceId", "demo", "ai.sero.workspacePath", "/Users/ada/src/./demo/",
                   "ai.sero.installationRoot", "/Users/ada/.sero-ui/", NULL);
  g_assert_true (BELONGS ());
  g_assert_true (CURRENT ());

  /* Another workspace, another installation, another runtime. */
  make_inspection (&i, path, "ai.sero.workspaceId", "other", "ai.sero.installationRoot", root, NULL);
  g_assert_false (BELONGS ());
  make_inspection (&i, path, "ai.sero.workspaceId", "demo", "ai.sero.installationRoot", "/Users/bob/.sero-ui", NULL);
  g_assert_false (BELONGS ());
  make_inspection (&i, path, "ai.sero.workspaceId", "demo", "ai.sero.runtime", "docker", NULL);
  g_assert_false (BELONGS ());
  make_inspection (&i, path, "ai.sero.workspaceId", "demo", "ai.sero.managed", "false", NULL);
  g_assert_false (BELONGS ());

  /* Ours by id, but written before the path and root labels: not current. */
  make_inspection (&i, "/elsewhere", "ai.sero.managed", "true", "ai.sero.workspaceId", "demo", NULL);
  g_assert_true (BELONGS ());
  g_assert_false (CURRENT ());

  /* Unlabelled: only the /workspace mount proves it (the original's
   * regression treated these as collisions). */
  make_inspection (&i, path, NULL);
  g_assert_true (BELONGS ());
  g_assert_false (CURRENT ());
  make_inspection (&i, "/Users/ada/src/other", NULL);
  g_assert_false (BELONGS ());
  make_inspection (&i, NULL, NULL);
  g_assert_false (BELONGS ());

  /* A root label without an id falls back to the mount. */
  make_inspection (&i, path, "ai.sero.installationRoot", root, NULL);
  g_assert_true (BELONGS ());

  /* Nothing there. */
  _sero_apple_inspection_clear (&i);
  g_assert_false (BELONGS ());
  g_assert_false (CURRENT ());

#undef BELONGS
#undef CURRENT
}

static void
test_volumes (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *ro = g_build_filename (fx->dir, "skills", NULL);
  g_autofree char *rw = g_build_filename (fx->dir, "shared", NULL);
  g_autofree char *missing = g_build_filename (fx->dir, "missing", NULL);
  g_autofree char *config = g_build_filename (fx->workspace_dir, ".sero-workspace.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *expected_ws = g_strdup_printf ("%s:/workspace", fx->workspace_dir);
  g_autofree char *expected_ro = g_strdup_printf ("%s:%s:ro", ro, ro);
  g_autofree char *expected_rw = g_strdup_printf ("%s:%s", rw, rw);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) volumes = NULL;
  g_auto(GStrv) skipped = NULL;

  g_assert_cmpint (g_mkdir (ro, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (rw, 0700), ==, 0);

  /* A hand-edited config can name one folder several times, spelled
   * differently, as a mount and as a root, or the workspace itself: Apple
   * rejects a run that repeats a source, so each is mounted once. */
  text = g_strdup_printf ("{\"id\": \"demo\", "
                          "\"mounts\": [\"%s\", \"%s/.\", \"%s\", \"%s\", \"%s\"], "
                          "\"readOnlyMounts\": [\"%s\"], "
                          "\"roots\": [{\"path\": \"%s\"}, {\"path\": \"%s\"}]}",
                          rw, rw, fx->workspace_dir, missing, missing, ro, rw, ro);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  g_assert_true (sero_workspace_load_config (fx->workspace, &error));
  g_assert_no_error (error);

  volumes = _sero_apple_build_volumes (fx->workspace, &skipped);
  g_assert_cmpuint (g_strv_length (volumes), ==, 3);
  g_assert_cmpstr (volumes[0], ==, expected_ws);
  g_assert_cmpstr (volumes[1], ==, expected_ro);
  g_assert_cmpstr (volumes[2], ==, expected_rw);
  g_assert_cmpuint (g_strv_length (skipped), ==, 1);
  g_assert_cmpstr (skipped[0], ==, missing);
  /* Skipped, never created. */
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* ---- the lifecycle, against the fake ---- */

static void
test_create_fresh (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_auto(GStrv) volumes = _sero_apple_build_volumes (fx->workspace, NULL);
  g_autofree char *signature = sero_runtime_mount_signature ((const char * const *) volumes);
  g_autofree char *root = g_canonicalize_filename (fx->ui_root, NULL);
  g_autofree char *verbs = NULL;
  g_autofree char *run = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) run_argv = NULL;
  const char *provision;

  g_assert_true (sero_runtime_is_container (runtime));
  g_assert_cmpstr (sero_runtime_get_container_name (runtime), ==, CID);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);

  /* inspect (nothing), clear a stale name, create, provision, read back. */
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect delete run exec inspect");

  /* The reference's exact order (§2.5), then our two extra labels. */
  run_argv = find_call (fx, "run");
  run = call_text (run_argv);
  expected = g_strdup_printf ("run --name " CID " -d "
                              "--label ai.sero.managed=true --label ai.sero.runtime=apple-container "
                              "--label ai.sero.workspaceId=" WORKSPACE_ID " "
                              "--label ai.sero.workspacePath=%s --label ai.sero.installationRoot=%s "
                              "--label ai.sero.image=sero-node:latest --label ai.sero.mountSignature=%s "
                              "--cpus 2 --memory 1024M --network default --ssh "
                              "--volume %s:/workspace "
                              "sero-node:latest sleep infinity",
                              fx->workspace_dir, root, signature, fx->workspace_dir);
  g_assert_cmpstr (run, ==, expected);

  /* The login environment was written into the container. */
  state = state_read (fx);
  provision = json_object_get_string_member (state_container (fx, state, CID), "provision");
  g_assert_nonnull (strstr (provision, "cat > /etc/profile.d/sero-env.sh"));
  g_assert_nonnull (strstr (provision, "export TERM=xterm-256color\n"));
  g_assert_nonnull (strstr (provision, "export HOST=0.0.0.0\n"));
  g_assert_nonnull (strstr (provision, "export VITE_HOST=0.0.0.0\n"));
  g_assert_nonnull (strstr (provision, "export HOSTNAME=0.0.0.0\n"));
  g_assert_nonnull (strstr (provision, ">> /root/.bashrc"));
}

static void
test_image_from_env (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) run = NULL;
  guint n;

  g_setenv ("SERO_NODE_IMAGE", "ghcr.io/sero-labs/sero-node:1.2.3", TRUE);
  runtime = new_runtime (fx);
  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);

  run = find_call (fx, "run");
  n = g_strv_length (run);
  g_assert_cmpstr (run[n - 3], ==, "ghcr.io/sero-labs/sero-node:1.2.3");

  /* The workspace's own image wins. */
  g_assert_true (sero_runtime_destroy_sync (runtime, NULL, &error));
  calls_clear (fx);
  sero_workspace_set_image (fx->workspace, "example/custom:2");
  g_assert_true (ensure (runtime, &error));
  g_clear_pointer (&run, g_strfreev);
  run = find_call (fx, "run");
  n = g_strv_length (run);
  g_assert_cmpstr (run[n - 3], ==, "example/custom:2");
  g_unsetenv ("SERO_NODE_IMAGE");
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      failed;
} Parallel;

static void
on_ensured (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Parallel *parallel = user_data;
  g_autoptr(GError) error = NULL;

  if (!sero_runtime_ensure_finish (SERO_RUNTIME (object), result, &error))
    parallel->failed++;
  if (--parallel->pending == 0)
    g_main_loop_quit (parallel->loop);
}

static void
test_dedup (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Parallel parallel = { loop, 20, 0 };

  for (guint i = 0; i < 20; i++)
    sero_runtime_ensure_async (runtime, NULL, on_ensured, &parallel);
  g_main_loop_run (loop);

  g_assert_cmpuint (parallel.failed, ==, 0);
  g_assert_cmpuint (count_calls (fx, "run"), ==, 1);
  g_assert_cmpuint (count_calls (fx, "inspect " CID), ==, 2);
  assert_running (runtime);
}

static void
test_reuse_running (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) first = new_runtime (fx);
  g_autoptr(SeroRuntime) second = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;

  g_assert_true (ensure (first, &error));
  calls_clear (fx);

  /* Another process (a second runtime object) finds it running. */
  g_assert_true (ensure (second, &error));
  g_assert_no_error (error);
  assert_running (second);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect");
}

static void
test_stopped_is_started (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;

  g_assert_true (ensure (runtime, &error));
  state_set_status (fx, "stopped");
  calls_clear (fx);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect start inspect");
  g_assert_cmpuint (count_calls (fx, "start " CID), ==, 1);
}

static void
test_start_fails_recreates (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;

  g_assert_true (ensure (runtime, &error));
  state_set_status (fx, "stopped");
  state_set (fx, "fail_start", "[\"" CID "\"]");
  calls_clear (fx);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect start delete run exec inspect");
  g_assert_cmpuint (count_calls (fx, "delete --force " CID), ==, 1);
}

static void
test_already_exists_own (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = labels_json (fx, WORKSPACE_ID, fx->ui_root);
  g_autofree char *verbs = NULL;

  /* Another Sero window made it between our inspect and our run. */
  state_set (fx, "appear_on_run",
             "{\"" CID "\": {\"status\": \"running\", \"labels\": %s, \"mounts\": [[\"%s\", \"/workspace\"]]}}",
             labels, fx->workspace_dir);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect delete run inspect delete run exec inspect");
  g_assert_cmpuint (count_calls (fx, "run"), ==, 2);
}

static void
test_already_exists_legacy (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;

  /* Made by a Sero from before labels: its /workspace mount is ours. The
   * original treated this as a collision for a while. */
  state_set (fx, "appear_on_run",
             "{\"" CID "\": {\"status\": \"stopped\", \"labels\": {}, \"mounts\": [[\"%s\", \"/workspace\"]]}}",
             fx->workspace_dir);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);
  g_assert_cmpuint (count_calls (fx, "run"), ==, 2);
}

static void
test_already_exists_ghost (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *ghost_dir = g_build_filename (fx->storage_dir, CID, NULL);
  g_autofree char *verbs = NULL;

  /* The original's ownership guard threw here, because a ghost cannot be
   * inspected, so ghost recovery was never reached. */
  state_set (fx, "appear_on_run", "{\"" CID "\": {\"ghost\": true}}");

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);

  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==,
                   "inspect delete run inspect delete system-stop system-status system-start system-status "
                   "delete run exec inspect");
  g_assert_false (g_file_test (ghost_dir, G_FILE_TEST_EXISTS));
}

static void
test_ghost_found_by_inspect (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *ghost_dir = g_build_filename (fx->storage_dir, CID, NULL);
  g_autofree char *ghost_file = g_build_filename (ghost_dir, "options.json", NULL);
  g_autofree char *ghost_link = g_build_filename (ghost_dir, "bundle", NULL);
  g_autofree char *precious = g_build_filename (fx->dir, "precious", NULL);
  g_autofree char *precious_file = g_build_filename (precious, "keep.txt", NULL);
  g_autofree char *verbs = NULL;

  g_assert_cmpint (g_mkdir (ghost_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ghost_file, "{}", -1, NULL));
  /* Removing the storage folder never follows a link out of it. */
  g_assert_cmpint (g_mkdir (precious, 0700), ==, 0);
  g_assert_true (g_file_set_contents (precious_file, "mine", -1, NULL));
  g_assert_cmpint (symlink (precious, ghost_link), ==, 0);
  state_set (fx, "ghosts", "[\"" CID "\"]");

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);

  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==,
                   "inspect delete system-stop system-status system-start system-status delete run exec inspect");
  g_assert_false (g_file_test (ghost_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (precious_file, G_FILE_TEST_IS_REGULAR));
}

static void
test_stale_name (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;

  /* Not inspectable, but the name is still reserved until a delete. */
  state_set (fx, "reserved", "[\"" CID "\"]");

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect delete run exec inspect");
}

static void
assert_untouched (Fixture    *fx,
                  const char *status)
{
  g_autoptr(JsonObject) state = state_read (fx);

  g_assert_cmpstr (container_status (fx, state), ==, status);
  g_assert_cmpuint (count_calls (fx, "delete"), ==, 0);
  g_assert_cmpuint (count_calls (fx, "stop"), ==, 0);
  g_assert_cmpuint (count_calls (fx, "start"), ==, 0);
  g_assert_cmpuint (count_calls (fx, "exec"), ==, 0);
  g_assert_cmpuint (count_calls (fx, "system"), ==, 0);
}

static void
assert_collision (SeroRuntime *runtime,
                  GError      *error)
{
  g_autofree char *message = sero_runtime_dup_status_message (runtime);

  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION);
  g_assert_nonnull (strstr (error->message, "Apple Container name collision: " CID " is not owned by this Sero workspace."));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_ERROR);
  g_assert_cmpstr (message, ==, error->message);
}

static void
test_foreign_workspace (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = labels_json (fx, "another", fx->ui_root);

  state_put_container (fx, CID, "{\"status\": \"stopped\", \"labels\": %s}", labels);

  g_assert_false (ensure (runtime, &error));
  assert_collision (runtime, error);
  assert_untouched (fx, "stopped");

  /* Nor does destroy touch it. */
  g_clear_error (&error);
  g_assert_false (sero_runtime_destroy_sync (runtime, NULL, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION);
  assert_untouched (fx, "stopped");
}

static void
test_foreign_installation (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *labels = labels_json (fx, WORKSPACE_ID, "/Users/someone-else/.sero-ui");

  state_put_container (fx, CID, "{\"status\": \"running\", \"labels\": %s, \"mounts\": [[\"%s\", \"/workspace\"]]}",
                       labels, fx->workspace_dir);

  g_assert_false (ensure (runtime, &error));
  assert_collision (runtime, error);
  assert_untouched (fx, "running");
}

static void
test_foreign_unlabelled (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;

  /* Someone's own container that happens to have our name. */
  state_put_container (fx, CID, "{\"status\": \"running\", \"mounts\": [[\"/srv/theirs\", \"/workspace\"]]}");

  g_assert_false (ensure (runtime, &error));
  assert_collision (runtime, error);
  assert_untouched (fx, "running");
}

static void
test_foreign_appears_on_run (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *labels = labels_json (fx, "another", fx->ui_root);

  state_set (fx, "appear_on_run", "{\"" CID "\": {\"status\": \"running\", \"labels\": %s}}", labels);

  g_assert_false (ensure (runtime, &error));
  assert_collision (runtime, error);

  /* One delete clears a stale name before the run; none after. */
  g_assert_cmpuint (count_calls (fx, "run"), ==, 1);
  g_assert_cmpuint (count_calls (fx, "delete"), ==, 1);
  state = state_read (fx);
  g_assert_cmpstr (container_status (fx, state), ==, "running");
}

static void
test_legacy_stopped_recreated (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *verbs = NULL;
  JsonObject *labels;

  state_put_container (fx, CID, "{\"status\": \"stopped\", \"mounts\": [[\"%s\", \"/workspace\"]]}", fx->workspace_dir);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect delete run exec inspect");

  state = state_read (fx);
  labels = json_object_get_object_member (state_container (fx, state, CID), "labels");
  g_assert_cmpstr (json_object_get_string_member (labels, "ai.sero.workspaceId"), ==, WORKSPACE_ID);
}

static void
test_system_not_running (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;

  state_set (fx, "system_running", "false");

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  assert_running (runtime);

  /* XPC "Connection invalid" → start the system, wait, retry once. */
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect system-status system-start system-status inspect delete run exec inspect");
  g_assert_cmpuint (count_calls (fx, "system start"), ==, 1);
}

static void
test_system_start_fails (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  state_set (fx, "system_running", "false");
  state_set (fx, "system_start_fails", "true");

  g_assert_false (ensure (runtime, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING);
  g_assert_true (g_str_has_prefix (error->message, "Container system failed to start: "));
  g_assert_nonnull (strstr (error->message, "launchd refused"));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_ERROR);
  message = sero_runtime_dup_status_message (runtime);
  g_assert_cmpstr (message, ==, error->message);
  g_assert_cmpuint (count_calls (fx, "run"), ==, 0);
}

static void
test_not_installed (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "no-such-container", NULL);

  g_setenv ("SERO_APPLE_CONTAINER_BIN", missing, TRUE);
  runtime = new_runtime (fx);

  g_assert_false (ensure (runtime, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_ERROR);
}

static void
test_run_fails (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;

  state_set (fx, "run_error", "\"Error: notFound: image sero-node:latest\"");
  state_set (fx, "images", "[]");

  g_assert_false (ensure (runtime, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Failed to create container " CID ": Error: notFound"));
  g_assert_nonnull (strstr (error->message, "sero runtime build-image"));
  g_assert_cmpuint (count_calls (fx, "image list"), ==, 1);
}

static void
test_workspace_missing (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SeroWorkspace) workspace = NULL;
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "gone", NULL);

  workspace = sero_workspace_new (WORKSPACE_ID, missing);
  runtime = sero_runtime_apple_new (workspace, fx->ui_root);

  g_assert_false (ensure (runtime, &error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_calls (fx, "run"), ==, 0);
}

static void
test_mounts (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *ro = g_build_filename (fx->dir, "skills", NULL);
  g_autofree char *rw = g_build_filename (fx->dir, "shared", NULL);
  g_autofree char *missing = g_build_filename (fx->dir, "missing", NULL);
  g_autofree char *message = NULL;
  g_autofree char *run = NULL;
  g_autofree char *volumes = NULL;
  g_auto(GStrv) run_argv = NULL;

  g_assert_cmpint (g_mkdir (ro, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (rw, 0700), ==, 0);
  g_assert_true (sero_workspace_add_mount (fx->workspace, rw, FALSE, &error));
  g_assert_true (sero_workspace_add_mount (fx->workspace, ro, TRUE, &error));
  g_assert_true (sero_workspace_add_mount (fx->workspace, missing, TRUE, &error));
  g_assert_no_error (error);

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);

  run_argv = find_call (fx, "run");
  run = call_text (run_argv);
  volumes = g_strdup_printf ("--ssh --volume %s:/workspace --volume %s:%s:ro --volume %s:%s sero-node:latest",
                             fx->workspace_dir, ro, ro, rw, rw);
  g_assert_nonnull (strstr (run, volumes));
  g_assert_null (strstr (run, missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  message = sero_runtime_dup_status_message (runtime);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "skipped"));
  g_assert_nonnull (strstr (message, missing));
}

static void
test_mount_change (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = g_build_filename (fx->dir, "extra", NULL);
  g_autofree char *message = NULL;

  g_assert_true (ensure (runtime, &error));
  g_assert_cmpint (g_mkdir (extra, 0700), ==, 0);
  g_assert_true (sero_workspace_add_mount (fx->workspace, extra, FALSE, &error));

  /* With a terminal open the new mount waits, and the status says so. */
  sero_runtime_hold_terminal (runtime);
  calls_clear (fx);
  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  g_assert_true (sero_runtime_get_recreate_deferred (runtime));
  message = sero_runtime_dup_status_message (runtime);
  g_assert_nonnull (strstr (message, "when the last terminal"));
  g_assert_cmpuint (count_calls (fx, "run"), ==, 0);
  g_assert_cmpuint (count_calls (fx, "delete"), ==, 0);

  /* Once it closes, the next ensure makes the container again. */
  sero_runtime_release_terminal (runtime);
  g_assert_true (ensure (runtime, &error));
  g_assert_false (sero_runtime_get_recreate_deferred (runtime));
  g_assert_cmpuint (count_calls (fx, "delete --force " CID), ==, 1);
  g_assert_cmpuint (count_calls (fx, "run"), ==, 1);
  assert_running (runtime);
}

static void
test_published_port (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *container;

  g_assert_true (ensure (runtime, &error));
  g_assert_cmpuint (sero_runtime_get_published_port (runtime, 5173), ==, 0);

  state = state_read (fx);
  container = state_container (fx, state, CID);
  json_object_set_member (container, "published", json_from ("[\"127.0.0.1:41730:5173/tcp\"]"));
  state_write (fx, state);

  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_cmpuint (sero_runtime_get_published_port (runtime, 5173), ==, 41730);
  g_assert_cmpuint (sero_runtime_get_published_port (runtime, 3000), ==, 0);
}

/* ---- exec, terminal, refresh, destroy, availability ---- */

static SeroRuntime *
running_runtime (Fixture *fx)
{
  SeroRuntime *runtime = new_runtime (fx);
  g_autoptr(GError) error = NULL;

  g_assert_true (ensure (runtime, &error));
  g_assert_no_error (error);
  calls_clear (fx);

  return runtime;
}

static void
test_exec (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *call = NULL;
  g_auto(GStrv) exec = NULL;
  const char *env[] = { "FOO=bar", NULL };
  const char *argv[] = { "sh", "-c", "echo \"$HOST $FOO\"; pwd; exit 3", NULL };
  SeroExecRequest request = { .argv = argv, .env = env };
  g_autofree char *expected = NULL;
  g_autofree char *binary = sero_runtime_apple_dup_binary ();

  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 3);
  /* /workspace is where the fake's command ran: the workspace folder. */
  expected = g_strdup_printf ("0.0.0.0 bar\n%s\n", fx->workspace_dir);
  g_assert_cmpstr (result->stdout_text, ==, expected);

  exec = find_call (fx, "exec");
  call = call_text (exec);
  /* Every container exec carries its SERO_EXEC_ID tag, by which a
   * timeout or cancel finds its processes inside (sero-runtime.c). */
  g_assert_true (g_str_has_prefix (call, "exec -w /workspace --env HOST=0.0.0.0 --env FOO=bar --env SERO_EXEC_ID="));
  g_assert_true (g_str_has_suffix (call, " " CID " sh -c echo \"$HOST $FOO\"; pwd; exit 3"));
  g_assert_cmpstr (binary, ==, FAKE_CONTAINER);
}

static void
test_exec_command_and_stdin (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *call = NULL;
  g_auto(GStrv) exec = NULL;
  SeroExecRequest request = { .command = "cat", .cwd = "/tmp", .stdin_text = "hello\n" };

  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_text, ==, "hello\n");

  exec = find_call (fx, "exec");
  call = call_text (exec);
  g_assert_true (g_str_has_prefix (call, "exec -i -w /tmp --env HOST=0.0.0.0 --env SERO_EXEC_ID="));
  g_assert_true (g_str_has_suffix (call, " " CID " sh -lc cat"));
}

static void
test_exec_invalid_env (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *env[] = { "NOT-VALID=1", NULL };
  SeroExecRequest request = { .command = "true", .env = env };

  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID);
  g_assert_cmpuint (count_calls (fx, "exec"), ==, 0);
}

static void
test_exec_timeout (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "sleep", "30", NULL };
  SeroExecRequest request = { .argv = argv, .timeout_ms = 1000 };
  gint64 started = g_get_monotonic_time ();

  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->exit_status, ==, 124);
  g_assert_true (result->timed_out);
  g_assert_nonnull (strstr (result->stderr_text, "Command timed out after 1s."));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
}

static void
test_terminal_argv (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = new_runtime (fx);
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(GStrv) in_dir = NULL;
  const char * const expected[] = {
    FAKE_CONTAINER, "exec", "-it", "-w", "/workspace", CID, "/bin/bash", "--login", NULL
  };

  /* A Dock-launched app's PATH: /usr/local/bin is added in front. */
  g_setenv ("PATH", "/usr/bin:/bin", TRUE);
  argv = sero_runtime_build_terminal_argv (runtime, NULL, &envp);
  g_assert_cmpstrv (argv, expected);
  g_assert_cmpstr (g_environ_getenv (envp, "PATH"), ==, "/usr/local/bin:/usr/bin:/bin");
  g_assert_cmpstr (g_environ_getenv (envp, "TERM"), ==, "xterm-256color");

  /* Already on PATH: left as it is. */
  g_clear_pointer (&envp, g_strfreev);
  g_setenv ("PATH", "/usr/bin:/usr/local/bin", TRUE);
  in_dir = sero_runtime_build_terminal_argv (runtime, "/workspace/src", &envp);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_cmpstr (g_environ_getenv (envp, "PATH"), ==, "/usr/bin:/usr/local/bin");
  g_assert_cmpstr (in_dir[4], ==, "/workspace/src");

  /* Building argv runs nothing. */
  calls = calls_read (fx);
  g_assert_cmpuint (calls->len, ==, 0);
}

static void
test_refresh (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;
  g_autofree char *ip = NULL;

  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  drain_main_context ();
  assert_running (runtime);

  /* Stopped from outside. */
  state_set_status (fx, "stopped");
  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_STOPPED);
  ip = sero_runtime_dup_ip_address (runtime);
  g_assert_null (ip);

  /* The whole system stopped. */
  state_set (fx, "system_running", "false");
  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_STOPPED);

  /* Removed from outside. */
  state_set (fx, "system_running", "true");
  state_set (fx, "containers", "{}");
  g_assert_true (sero_runtime_refresh_sync (runtime, NULL, &error));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_NONE);

  /* Refresh only looks. */
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect inspect inspect inspect");
}

static void
test_destroy (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SeroRuntime) runtime = running_runtime (fx);
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verbs = NULL;
  g_autofree char *ip = NULL;

  g_assert_true (sero_runtime_destroy_sync (runtime, NULL, &error));
  g_assert_no_error (error);
  drain_main_context ();

  /* Removed, not just stopped. */
  verbs = call_verbs (fx);
  g_assert_cmpstr (verbs, ==, "inspect delete");
  g_assert_cmpuint (count_calls (fx, "delete --force " CID), ==, 1);
  state = state_read (fx);
  g_assert_null (state_container (fx, state, CID));
  g_assert_cmpint (sero_runtime_get_status (runtime), ==, SERO_RUNTIME_STATUS_NONE);
  ip = sero_runtime_dup_ip_address (runtime);
  g_assert_null (ip);

  /* Nothing left: still fine. */
  g_assert_true (sero_runtime_destroy_sync (runtime, NULL, &error));
  g_assert_no_error (error);
}

static void
test_availability (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "no-such-container", NULL);

  g_assert_true (sero_runtime_apple_check_availability (&error));
  g_assert_no_error (error);

  state_set (fx, "system_running", "false");
  g_assert_false (sero_runtime_apple_check_availability (&error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "not running"));
  g_clear_error (&error);

  state_set (fx, "status_error", "\"Error: interrupted: \\\"XPC connection error: Connection invalid\\\"\"");
  g_assert_false (sero_runtime_apple_check_availability (&error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "unavailable right now"));
  g_clear_error (&error);

  state_set (fx, "status_error", "\"Error: something odd\"");
  g_assert_false (sero_runtime_apple_check_availability (&error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED);
  g_assert_cmpstr (error->message, ==, "Apple containers could not be verified: Error: something odd");
  g_clear_error (&error);

  g_setenv ("SERO_APPLE_CONTAINER_BIN", missing, TRUE);
  g_assert_false (sero_runtime_apple_check_availability (&error));
  g_assert_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED);
  g_assert_nonnull (strstr (error->message, "not installed"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/runtime/apple/parse/running", test_parse_running);
  g_test_add_func ("/sero/runtime/apple/parse/legacy", test_parse_legacy);
  g_test_add_func ("/sero/runtime/apple/parse/edge-cases", test_parse_edge_cases);
  g_test_add_func ("/sero/runtime/apple/parse/started-date", test_started_date);
  g_test_add_func ("/sero/runtime/apple/errors", test_error_classifiers);
  g_test_add_func ("/sero/runtime/apple/ownership", test_ownership_rules);

#define ADD(name, func) g_test_add ("/sero/runtime/apple/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("volumes", test_volumes);
  ADD ("ensure/create", test_create_fresh);
  ADD ("ensure/image", test_image_from_env);
  ADD ("ensure/dedup", test_dedup);
  ADD ("ensure/reuse-running", test_reuse_running);
  ADD ("ensure/stopped-started", test_stopped_is_started);
  ADD ("ensure/start-fails-recreates", test_start_fails_recreates);
  ADD ("ensure/already-exists-own", test_already_exists_own);
  ADD ("ensure/already-exists-legacy", test_already_exists_legacy);
  ADD ("ensure/already-exists-ghost", test_already_exists_ghost);
  ADD ("ensure/ghost", test_ghost_found_by_inspect);
  ADD ("ensure/stale-name", test_stale_name);
  ADD ("ensure/foreign-workspace", test_foreign_workspace);
  ADD ("ensure/foreign-installation", test_foreign_installation);
  ADD ("ensure/foreign-unlabelled", test_foreign_unlabelled);
  ADD ("ensure/foreign-appears-on-run", test_foreign_appears_on_run);
  ADD ("ensure/legacy-stopped-recreated", test_legacy_stopped_recreated);
  ADD ("ensure/system-not-running", test_system_not_running);
  ADD ("ensure/system-start-fails", test_system_start_fails);
  ADD ("ensure/not-installed", test_not_installed);
  ADD ("ensure/run-fails", test_run_fails);
  ADD ("ensure/workspace-missing", test_workspace_missing);
  ADD ("ensure/mounts", test_mounts);
  ADD ("ensure/mount-change", test_mount_change);
  ADD ("published-port", test_published_port);
  ADD ("exec/argv", test_exec);
  ADD ("exec/command-stdin", test_exec_command_and_stdin);
  ADD ("exec/invalid-env", test_exec_invalid_env);
  ADD ("exec/timeout", test_exec_timeout);
  ADD ("terminal", test_terminal_argv);
  ADD ("refresh", test_refresh);
  ADD ("destroy", test_destroy);
  ADD ("availability", test_availability);
#undef ADD

  return g_test_run ();
}
