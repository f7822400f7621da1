/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sero.h"

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sero-json-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nested", "state.json", NULL);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonObject) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *folder = g_path_get_dirname (path);

  json_object_set_string_member (object, "name", "Sero");
  json_object_set_int_member (object, "version", 1);

  g_assert_true (sero_json_file_save_object (path, object, SERO_JSON_FILE_NONE, &error));
  g_assert_no_error (error);

  /* Two-space pretty JSON with a final newline, like the original. */
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\n  \"name\" : \"Sero\",\n  \"version\" : 1\n}\n");

  /* New files are private, and so are the folders we create for them. */
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (folder), ==, 0700);

  loaded = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (loaded, "name"), ==, "Sero");
}

static void
test_missing (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "absent.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = sero_json_file_load (path, SERO_JSON_FILE_NONE, &error);

  g_assert_null (node);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_corrupt_untouched (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "broken.json", NULL);
  const char *broken = "{\n  \"a\": 1,\n  \"b\": [1,,]\n}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected_prefix = NULL;

  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  node = sero_json_file_load (path, SERO_JSON_FILE_NONE, &error);
  g_assert_null (node);
  g_assert_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT);

  /* The message names the file, the line and the column. */
  expected_prefix = g_strdup_printf ("%s:3:11:", path);
  g_assert_true (g_str_has_prefix (error->message, expected_prefix));

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, broken);
}

static void
test_empty_is_corrupt (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "empty.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  node = sero_json_file_load (path, SERO_JSON_FILE_NONE, &error);
  g_assert_null (node);
  g_assert_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_not_object (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "array.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;

  g_assert_true (g_file_set_contents (path, "[1, 2]", -1, NULL));
  object = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_null (object);
  g_assert_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT);
}

static void
test_secret_modes_tightened (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *agent = g_build_filename (dir, "agent", NULL);
  g_autofree char *path = g_build_filename (agent, "auth.json", NULL);
  g_autofree char *plain = g_build_filename (agent, "layout.json", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) plain_node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (agent, 0755), ==, 0);
  g_assert_cmpint (g_chmod (agent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, "{}", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_true (g_file_set_contents (plain, "{}", -1, NULL));
  g_assert_cmpint (g_chmod (plain, 0644), ==, 0);

  /* Non-secret files keep the mode the person gave them. */
  plain_node = sero_json_file_load (plain, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (plain), ==, 0644);
  g_assert_cmpuint (file_mode (agent), ==, 0755);

  g_test_expect_message ("sero-json-file", G_LOG_LEVEL_WARNING, "Tightened permissions of *auth.json from 0644 to 0600");
  g_test_expect_message ("sero-json-file", G_LOG_LEVEL_WARNING, "Tightened permissions of *agent from 0755 to 0700");
  node = sero_json_file_load (path, SERO_JSON_FILE_SECRET, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (agent), ==, 0700);

  /* A rewrite of an existing file keeps it private too. */
  g_assert_true (sero_json_file_save (path, node, SERO_JSON_FILE_SECRET, &error));
  g_assert_cmpuint (file_mode (path), ==, 0600);
}

static void
test_unknown_fields_survive (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "settings.json", NULL);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "{\"known\": 1, \"futureFeature\": {\"deep\": [1, 2, {\"x\": null}]}}",
                                      -1, NULL));

  object = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  json_object_set_int_member (object, "known", 2);
  g_assert_true (sero_json_file_save_object (path, object, SERO_JSON_FILE_NONE, &error));

  again = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (again, "known"), ==, 2);
  g_assert_true (json_object_has_member (again, "futureFeature"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (again, "futureFeature"), "deep")), ==, 3);
}

static void
test_quarantine (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "profiles.json", NULL);
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "{oops", -1, NULL));
  moved = sero_json_file_quarantine (path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  base = g_path_get_basename (moved);
  g_assert_true (g_str_has_prefix (base, "profiles.json.broken-"));
  g_assert_true (g_file_get_contents (moved, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{oops");
}

/* The atomic writer must survive being killed at any moment: a child rewrites
 * a large file in a loop, we SIGKILL it at random times, and after each kill
 * the file must parse and be exactly one of the versions written. */

#define N_VERSIONS 4
#define N_KILLS    200

static char *
make_version (guint v)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (object, "version", v);
  for (guint i = 0; i < 4000; i++)
    {
      g_autofree char *text = g_strdup_printf ("item %u of version %u with some padding text", i, v);
      json_array_add_string_element (items, text);
    }
  json_object_set_array_member (object, "items", g_steal_pointer (&items));
  json_node_set_object (root, object);

  return sero_json_to_string (root);
}

static void
test_killed_writer (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "big.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *versions[N_VERSIONS];
  char *texts[N_VERSIONS];
  GRand *rand = g_rand_new ();
  guint seen_versions = 0;

  for (guint v = 0; v < N_VERSIONS; v++)
    {
      texts[v] = make_version (v);
      g_assert_true (json_parser_load_from_data (parser, texts[v], -1, NULL));
      versions[v] = json_node_copy (json_parser_get_root (parser));
    }

  g_assert_true (sero_json_file_save (path, versions[0], SERO_JSON_FILE_NONE, NULL));

  for (guint kill_no = 0; kill_no < N_KILLS; kill_no++)
    {
      g_autofree char *contents = NULL;
      gboolean matched = FALSE;
      int status = 0;
      pid_t pid;

      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          for (guint i = 1;; i++)
            sero_json_file_save (path, versions[i % N_VERSIONS], SERO_JSON_FILE_NONE, NULL);
          _exit (0);
        }

      g_usleep (g_rand_int_range (rand, 0, 15000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      for (guint v = 0; v < N_VERSIONS; v++)
        {
          if (g_str_equal (contents, texts[v]))
            {
              matched = TRUE;
              seen_versions |= 1u << v;
              break;
            }
        }

      if (!matched)
        g_error ("after kill %u, %s is none of the written versions (%zu bytes)",
                 kill_no, path, strlen (contents));
    }

  /* The kills really landed at different moments of the loop. */
  g_assert_cmpuint (seen_versions, !=, 1);

  for (guint v = 0; v < N_VERSIONS; v++)
    {
      json_node_unref (versions[v]);
      g_free (texts[v]);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/json-file/roundtrip", test_roundtrip);
  g_test_add_func ("/sero/json-file/missing", test_missing);
  g_test_add_func ("/sero/json-file/corrupt-untouched", test_corrupt_untouched);
  g_test_add_func ("/sero/json-file/empty-is-corrupt", test_empty_is_corrupt);
  g_test_add_func ("/sero/json-file/not-object", test_not_object);
  g_test_add_func ("/sero/json-file/secret-modes-tightened", test_secret_modes_tightened);
  g_test_add_func ("/sero/json-file/unknown-fields-survive", test_unknown_fields_survive);
  g_test_add_func ("/sero/json-file/quarantine", test_quarantine);
  g_test_add_func ("/sero/json-file/killed-writer", test_killed_writer);

  return g_test_run ();
}
