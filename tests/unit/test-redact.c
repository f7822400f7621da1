/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero.h"

#define ANTHROPIC  "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abc"
#define OPENAI     "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
#define OPENROUTER "sk-or-v1-0123456789abcdef0123456789abcdef"
#define GITHUB     "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
#define GOOGLE     "AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz0123456"
#define XAI        "xai-AbCdEfGhIjKlMnOpQrStUvWxYz0123"
#define HEX64      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
assert_redacted (const char *input,
                 const char *secret,
                 const char *label)
{
  g_autofree char *out = sero_redact (input);
  g_autofree char *marker = g_strdup_printf ("[REDACTED:%s]", label);

  if (strstr (out, secret) != NULL || strstr (out, marker) == NULL)
    g_error ("redacting “%s” gave “%s”; expected %s and no secret", input, out, marker);
}

static void
test_patterns (void)
{
  assert_redacted ("key=" ANTHROPIC " end", ANTHROPIC, "ANTHROPIC_KEY");
  assert_redacted ("OPENAI_API_KEY=" OPENAI, OPENAI, "OPENAI_KEY");
  assert_redacted (OPENROUTER, OPENROUTER, "OPENROUTER_KEY");
  assert_redacted ("token " GITHUB, GITHUB, "GITHUB_TOKEN");
  assert_redacted ("gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "gho_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "GITHUB_TOKEN");
  assert_redacted ("google " GOOGLE, GOOGLE, "GOOGLE_KEY");
  assert_redacted (XAI, XAI, "XAI_KEY");
  assert_redacted ("gateway token " HEX64, HEX64, "HEX_TOKEN");
  assert_redacted ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz.0123", "abcdefghijklmnopqrstuvwxyz.0123", "BEARER_TOKEN");
}

static void
test_inside_json_string (void)
{
  const char *json = "{\"anthropic\":{\"type\":\"api_key\",\"key\":\"" ANTHROPIC "\"}}";
  g_autofree char *plain = sero_redact (json);
  g_autofree char *structured = sero_redact_json (json);

  /* The closing quote is not part of the key, and the JSON stays JSON. */
  g_assert_cmpstr (plain, ==, "{\"anthropic\":{\"type\":\"api_key\",\"key\":\"[REDACTED:ANTHROPIC_KEY]\"}}");
  g_assert_null (strstr (structured, ANTHROPIC));
  g_assert_nonnull (strstr (structured, "[REDACTED:ANTHROPIC_KEY]"));
}

static void
test_split_by_json_escapes (void)
{
  /* A JSON encoder may escape characters inside the key, splitting it
   * into pieces no plain-text pattern matches. */
  const char *json = "{\"log\":\"using sk\\u002dant\\u002dapi03\\u002dAbCdEfGhIjKlMnOpQrStUvWxYz0123 and "
                     "\\u0067hp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\"}";
  g_autofree char *plain = sero_redact (json);
  g_autofree char *out = sero_redact_json (json);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *log;

  /* The plain pass cannot see it, which is why the JSON pass exists. */
  g_assert_null (strstr (plain, "[REDACTED:ANTHROPIC_KEY]"));

  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  log = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "log");
  g_assert_cmpstr (log, ==, "using [REDACTED:ANTHROPIC_KEY] and [REDACTED:GITHUB_TOKEN]");
}

static void
test_no_false_positives (void)
{
  static const char *benign[] = {
    "sk-learn is a library",
    "task-ant-colony",
    "commit 0123456789abcdef0123456789abcdef01234567",  /* a 40-hex git sha */
    "Bearer short",
    "ghp_short",
    "the word AIza alone",
  };

  for (guint i = 0; i < G_N_ELEMENTS (benign); i++)
    {
      g_autofree char *out = sero_redact (benign[i]);
      g_assert_cmpstr (out, ==, benign[i]);
    }
}

static void
test_secret_values (void)
{
  g_autofree char *out = NULL;
  g_autofree char *short_out = NULL;

  sero_redact_clear_secrets ();
  g_setenv ("MY_PROVIDER_API_KEY", "custom-shape-secret-42", TRUE);
  g_setenv ("MY_SHORT_TOKEN", "abc", TRUE);
  g_setenv ("EDITOR", "vim-but-long-enough", TRUE);
  sero_redact_add_secrets_from_environ ();

  out = sero_redact ("calling with custom-shape-secret-42 twice: custom-shape-secret-42; editor vim-but-long-enough");
  g_assert_cmpstr (out, ==, "calling with [REDACTED:MY_PROVIDER_API_KEY] twice: [REDACTED:MY_PROVIDER_API_KEY]; "
                            "editor vim-but-long-enough");

  /* Values too short to be told from ordinary words are left alone. */
  short_out = sero_redact ("abc");
  g_assert_cmpstr (short_out, ==, "abc");

  g_assert_true (sero_redact_is_secret_name ("GITHUB_TOKEN"));
  g_assert_true (sero_redact_is_secret_name ("db_password"));
  g_assert_false (sero_redact_is_secret_name ("PATH"));
  sero_redact_clear_secrets ();
}

static void
test_mask_token (void)
{
  g_autofree char *masked = sero_mask_token (HEX64);
  g_autofree char *short_masked = sero_mask_token ("short");

  g_assert_cmpstr (masked, ==, "01234567…cdef");
  g_assert_cmpstr (short_masked, ==, "…");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/redact/patterns", test_patterns);
  g_test_add_func ("/sero/redact/inside-json-string", test_inside_json_string);
  g_test_add_func ("/sero/redact/split-by-json-escapes", test_split_by_json_escapes);
  g_test_add_func ("/sero/redact/no-false-positives", test_no_false_positives);
  g_test_add_func ("/sero/redact/secret-values", test_secret_values);
  g_test_add_func ("/sero/redact/mask-token", test_mask_token);

  return g_test_run ();
}
