/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero.h"
#include "sero-session-file.h"

/* Sessions must stay readable by pi and by the original Sero, and theirs by
 * us. The fixtures under tests/fixtures/pi-sessions were written by hand
 * from pi's documented format (pi-mono, packages/coding-agent/docs/session.md). */

static char *
fixture_copy (const char *name,
              const char *dir)
{
  g_autofree char *source = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "fixtures", "pi-sessions", name, NULL);
  g_autofree char *contents = NULL;
  char *target = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_get_contents (source, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (target, contents, -1, NULL));
  return target;
}

/* Every line parses, ids are unique, and every parentId names an earlier entry. */
static void
assert_valid_jsonl (const char *path,
                    guint       expected_entries)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint entries = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] && lines[i][0]; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      const char *id, *parent;

      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        g_error ("%s line %u is not JSON: %s", path, i + 1, lines[i]);
      object = json_node_get_object (json_parser_get_root (parser));

      if (i == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "session");
          g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 3);
          continue;
        }

      id = json_object_get_string_member (object, "id");
      g_assert_cmpuint (strlen (id), ==, 8);
      g_assert_false (g_hash_table_contains (ids, id));
      parent = json_object_get_string_member_with_default (object, "parentId", NULL);
      if (parent != NULL)
        g_assert_true (g_hash_table_contains (ids, parent));
      g_hash_table_add (ids, g_strdup (id));
      entries++;
    }

  g_assert_cmpuint (entries, ==, expected_entries);
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autoptr(SeroSessionFile) session = NULL;
  g_autoptr(SeroSessionFile) again = NULL;
  g_autoptr(JsonObject) user = sero_session_message_new_text ("user", "Add a test for the parser");
  g_autoptr(JsonObject) assistant = sero_session_message_new_text ("assistant", "Done.");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) branch = NULL;
  g_autofree char *base = NULL;
  g_autofree char *title = NULL;
  const char *first, *second;

  session = sero_session_file_create (dir, "/home/dev/app", &error);
  g_assert_no_error (error);

  /* pi's file name: <timestamp with - for : and .>_<uuid>.jsonl */
  base = g_path_get_basename (sero_session_file_get_path (session));
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z_[0-9a-f-]{36}\\.jsonl$",
                                       base, 0, 0));

  g_assert_nonnull (sero_session_file_append_model_change (session, "anthropic", "claude-sonnet-4-5", &error));
  first = sero_session_file_append_message (session, user, &error);
  g_assert_no_error (error);
  second = sero_session_file_append_message (session, assistant, &error);
  g_assert_cmpstr (second, !=, first);
  g_assert_nonnull (sero_session_file_append_session_info (session, "Parser tests", &error));

  assert_valid_jsonl (sero_session_file_get_path (session), 4);

  again = sero_session_file_open (sero_session_file_get_path (session), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_session_file_get_id (again), ==, sero_session_file_get_id (session));
  g_assert_cmpstr (sero_session_file_get_cwd (again), ==, "/home/dev/app");
  g_assert_cmpstr (sero_session_file_get_name (again), ==, "Parser tests");
  g_assert_cmpuint (sero_session_file_get_n_entries (again), ==, 4);
  branch = sero_session_file_get_branch (again);
  g_assert_cmpuint (branch->len, ==, 4);
  title = sero_session_file_dup_title (again);
  g_assert_cmpstr (title, ==, "Parser tests");
}

static void
test_pi_fixture_continued (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autofree char *path = fixture_copy ("v3-tool-use.jsonl", dir);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *title = NULL;
  g_autoptr(SeroSessionFile) session = NULL;
  g_autoptr(SeroSessionFile) reopened = NULL;
  g_autoptr(JsonObject) user = sero_session_message_new_text ("user", "And the tests folder?");
  g_autoptr(GError) error = NULL;
  JsonObject *last;

  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));

  session = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_session_file_get_cwd (session), ==, "/home/dev/projects/shop");
  g_assert_cmpstr (sero_session_file_get_leaf_id (session), ==, "a0000008");
  title = sero_session_file_dup_title (session);
  g_assert_cmpstr (title, ==, "Shop file listing");

  /* Continue it: the new entry hangs off pi's leaf; pi's lines are kept
   * byte for byte, unknown entry types included. */
  g_assert_nonnull (sero_session_file_append_message (session, user, &error));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_true (g_str_has_prefix (after, before));
  assert_valid_jsonl (path, 9);

  reopened = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  last = sero_session_file_get_entry (reopened, 8);
  g_assert_cmpstr (json_object_get_string_member (last, "parentId"), ==, "a0000008");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "message"), "role"), ==, "user");
}

static void
test_branched_leaf (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autofree char *path = fixture_copy ("v3-branched.jsonl", dir);
  g_autoptr(SeroSessionFile) session = NULL;
  g_autoptr(GPtrArray) branch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  session = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  branch = sero_session_file_get_branch (session);

  /* The abandoned first attempt is not on the current branch. */
  g_assert_cmpuint (branch->len, ==, 3);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (branch, 0), "id"), ==, "b0000001");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (branch, 1), "id"), ==, "b0000003");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (branch, 2), "id"), ==, "b0000004");

  /* A string `content` is a valid user message too. */
  title = sero_session_file_dup_title (session);
  g_assert_cmpstr (title, ==, "Write a title");
}

static void
test_old_version_migrated (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autofree char *path = fixture_copy ("v1-linear.jsonl", dir);
  g_autoptr(SeroSessionFile) session = NULL;
  g_autoptr(SeroSessionFile) reopened = NULL;
  g_autoptr(JsonObject) user = sero_session_message_new_text ("user", "Still here?");
  g_autoptr(GError) error = NULL;
  JsonObject *second;

  session = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_session_file_get_n_entries (session), ==, 2);
  second = sero_session_file_get_entry (session, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (second, "message"), "role"), ==, "custom");

  /* The first write stores it as version 3, with ids and parents. */
  g_assert_nonnull (sero_session_file_append_message (session, user, &error));
  g_assert_no_error (error);
  assert_valid_jsonl (path, 3);

  reopened = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_session_file_get_n_entries (reopened), ==, 3);
}

static void
test_torn_last_line (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autoptr(SeroSessionFile) session = sero_session_file_create (dir, "/w", NULL);
  g_autoptr(SeroSessionFile) crashed = NULL;
  g_autoptr(SeroSessionFile) reopened = NULL;
  g_autoptr(JsonObject) one = sero_session_message_new_text ("user", "one");
  g_autoptr(JsonObject) two = sero_session_message_new_text ("user", "two");
  g_autoptr(GError) error = NULL;
  const char *path = sero_session_file_get_path (session);
  g_autofree char *contents = NULL;
  g_autofree char *torn = NULL;

  g_assert_nonnull (sero_session_file_append_message (session, one, &error));

  /* A crash in the middle of writing a line. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  torn = g_strconcat (contents, "{\"type\":\"message\",\"id\":\"dead", NULL);
  g_assert_true (g_file_set_contents (path, torn, -1, NULL));

  g_test_expect_message ("sero-session", G_LOG_LEVEL_WARNING, "*:3: ignoring an incomplete last line*");
  crashed = sero_session_file_open (path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (sero_session_file_get_n_entries (crashed), ==, 1);

  /* The next append cuts the torn tail off first. */
  g_assert_nonnull (sero_session_file_append_message (crashed, two, &error));
  g_assert_no_error (error);
  assert_valid_jsonl (path, 2);

  reopened = sero_session_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_session_file_get_n_entries (reopened), ==, 2);
}

static void
test_bad_middle_line (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bad.jsonl", NULL);
  const char *text = "{\"type\":\"session\",\"version\":3,\"id\":\"x\",\"timestamp\":\"t\",\"cwd\":\"/w\"}\n"
                     "not json\n"
                     "{\"type\":\"message\",\"id\":\"00000001\",\"parentId\":null,\"timestamp\":\"t\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroSessionFile) session = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  session = sero_session_file_open (path, &error);
  g_assert_null (session);
  g_assert_error (error, SERO_SESSION_ERROR, SERO_SESSION_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "bad.jsonl:2:"));
}

static void
test_list_by_cwd (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-sessions-XXXXXX", NULL);
  g_autofree char *nested = g_build_filename (dir, "--home-dev-projects-shop--", NULL);
  g_autoptr(SeroSessionFile) a = sero_session_file_create (dir, "/w/a", NULL);
  g_autoptr(SeroSessionFile) b = sero_session_file_create (dir, "/w/b", NULL);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) only_a = NULL;
  g_autoptr(GPtrArray) shop = NULL;
  g_autoptr(SeroSessionFile) found = NULL;
  g_autoptr(GError) error = NULL;

  /* pi's own nested layout is found too. */
  g_assert_cmpint (g_mkdir (nested, 0700), ==, 0);
  g_free (fixture_copy ("v3-tool-use.jsonl", nested));

  all = sero_session_list (dir, NULL, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  only_a = sero_session_list (dir, "/w/a", NULL);
  g_assert_cmpuint (only_a->len, ==, 1);
  shop = sero_session_list (dir, "/home/dev/projects/shop", NULL);
  g_assert_cmpuint (shop->len, ==, 1);

  found = sero_session_find (dir, "7f1c2d3e", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_session_file_get_cwd (found), ==, "/home/dev/projects/shop");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/session/roundtrip", test_roundtrip);
  g_test_add_func ("/sero/session/pi-fixture-continued", test_pi_fixture_continued);
  g_test_add_func ("/sero/session/branched-leaf", test_branched_leaf);
  g_test_add_func ("/sero/session/old-version-migrated", test_old_version_migrated);
  g_test_add_func ("/sero/session/torn-last-line", test_torn_last_line);
  g_test_add_func ("/sero/session/bad-middle-line", test_bad_middle_line);
  g_test_add_func ("/sero/session/list-by-cwd", test_list_by_cwd);

  return g_test_run ();
}
