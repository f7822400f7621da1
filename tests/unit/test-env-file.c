/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "sero.h"

static const char *
value_of (GPtrArray  *entries,
          const char *key)
{
  for (guint i = 0; i < entries->len; i++)
    {
      SeroEnvEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->key, key))
        return entry->value;
    }

  return NULL;
}

static void
test_parse_rules (void)
{
  const char *text =
    "# a comment\n"
    "\n"
    "PLAIN=value\n"
    "  SPACED  =  padded value  \n"
    "DOUBLE=\"double quoted\"\n"
    "SINGLE='single # not a comment'\n"
    "MISMATCHED=\"open'\n"
    "LONE=\"\n"
    "EMPTY=\n"
    "export EXPORTED=yes\n"
    "URL=https://example.test/?a=b=c\n"
    "   # indented comment\n";
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = sero_env_file_parse (text, "test.env", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 9);

  g_assert_cmpstr (value_of (entries, "PLAIN"), ==, "value");
  g_assert_cmpstr (value_of (entries, "SPACED"), ==, "padded value");
  g_assert_cmpstr (value_of (entries, "DOUBLE"), ==, "double quoted");
  g_assert_cmpstr (value_of (entries, "SINGLE"), ==, "single # not a comment");
  /* Only one pair of matching quotes is stripped. */
  g_assert_cmpstr (value_of (entries, "MISMATCHED"), ==, "\"open'");
  g_assert_cmpstr (value_of (entries, "LONE"), ==, "\"");
  g_assert_cmpstr (value_of (entries, "EMPTY"), ==, "");
  g_assert_cmpstr (value_of (entries, "EXPORTED"), ==, "yes");
  g_assert_cmpstr (value_of (entries, "URL"), ==, "https://example.test/?a=b=c");
}

static void
test_bad_lines_named (void)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_test_expect_message ("sero-env-file", G_LOG_LEVEL_WARNING, "my.env:2: expected KEY=VALUE; line ignored");
  g_test_expect_message ("sero-env-file", G_LOG_LEVEL_WARNING, "my.env:3: “1BAD” is not a valid variable name; line ignored");
  entries = sero_env_file_parse ("GOOD=1\njust words\n1BAD=x\nALSO_GOOD=2\n", "my.env", NULL);
  g_test_assert_expected_messages ();

  /* One bad line loses nothing else. */
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (value_of (entries, "ALSO_GOOD"), ==, "2");
}

static void
test_load_never_overrides (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-envfile-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, ".env", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) loaded = NULL;
  struct stat st;

  g_assert_true (g_file_set_contents (path, "SERO_ENV_A=file\nSERO_ENV_B=file\n", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_setenv ("SERO_ENV_A", "already", TRUE);
  g_unsetenv ("SERO_ENV_B");

  g_test_expect_message ("sero-json-file", G_LOG_LEVEL_WARNING, "Tightened permissions of *.env*");
  loaded = sero_env_file_load (path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_assert_cmpstr (g_getenv ("SERO_ENV_A"), ==, "already");
  g_assert_cmpstr (g_getenv ("SERO_ENV_B"), ==, "file");
  g_assert_cmpuint (g_strv_length (loaded), ==, 1);
  g_assert_cmpstr (loaded[0], ==, "SERO_ENV_B");

  /* The .env holds secrets: it is tightened like any credential file. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) loaded = sero_env_file_load ("/nonexistent/sero/.env", &error);

  g_assert_null (loaded);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/env-file/parse-rules", test_parse_rules);
  g_test_add_func ("/sero/env-file/bad-lines-named", test_bad_lines_named);
  g_test_add_func ("/sero/env-file/load-never-overrides", test_load_never_overrides);
  g_test_add_func ("/sero/env-file/missing-file", test_missing_file);

  return g_test_run ();
}
