/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-diagnostics"

#include "config.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sero-diagnostics.h"
#include "sero-redact.h"
#include "sero-runtime-oci.h"

/* `sero diagnostics`: a report safe to paste into a public bug report. It
 * only ever stat()s state files, never reads them, so no secret can enter
 * it; the whole text still goes through the redactor as a second guard
 * (paths can contain a user name, but that is the person's call to share). */

static void
describe_file (GString    *report,
               const char *name,
               const char *path,
               gboolean    secret)
{
  struct stat st;

  if (g_lstat (path, &st) != 0)
    {
      g_string_append_printf (report, "  %-20s missing\n", name);
      return;
    }

  g_string_append_printf (report, "  %-20s %s %04o%s%s\n", name,
                          S_ISDIR (st.st_mode) ? "dir " : S_ISLNK (st.st_mode) ? "link" : "file",
                          (guint) (st.st_mode & 07777),
                          secret ? " secret" : "",
                          secret && (st.st_mode & 077) ? " (readable by others: will be tightened to 0600)" : "");
}

static void
describe_engine (GString *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroProcessResult) version = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = sero_runtime_oci_find_engine (&name, &error);

  if (path == NULL)
    {
      g_string_append_printf (report, "  oci engine           %s (workspaces run on the host)\n", error->message);
      return;
    }

  version = sero_process_run_sync ((const char *[]) { path, "--version", NULL }, NULL, NULL, NULL,
                                   5000, NULL, NULL);
  g_string_append_printf (report, "  oci engine           %s (%s)\n", name, path);
  if (version != NULL && version->exit_status == 0)
    g_string_append_printf (report, "  version              %s\n", g_strstrip (version->stdout_text));
  else
    g_string_append (report, "  version              did not answer\n");
  g_string_append_printf (report, "  SERO_CONTAINER_ENGINE %s\n",
                          g_getenv ("SERO_CONTAINER_ENGINE") ? g_getenv ("SERO_CONTAINER_ENGINE") : "(not set)");
}

/**
 * sero_diagnostics_report:
 *
 * Returns: (transfer full): the report text, redacted
 */
char *
sero_diagnostics_report (SeroPaths *paths)
{
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *os_name = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  struct utsname uts;
  const SeroPathEntry *map;
  guint n_entries;

  g_return_val_if_fail (SERO_IS_PATHS (paths), NULL);

  g_string_append (report, "Sero diagnostics\n\n");
  g_string_append (report, "Versions\n");
  g_string_append_printf (report, "  sero                 %s (%s)\n", PACKAGE_VERSION, PROFILE);
  g_string_append_printf (report, "  GLib                 %u.%u.%u\n",
                          glib_major_version, glib_minor_version, glib_micro_version);
  g_string_append_printf (report, "  json-glib            %s\n", JSON_VERSION_S);

  g_string_append (report, "\nPlatform\n");
  g_string_append_printf (report, "  os                   %s\n", os_name ? os_name : "unknown");
  if (uname (&uts) == 0)
    g_string_append_printf (report, "  kernel               %s %s %s\n", uts.sysname, uts.release, uts.machine);
  g_string_append_printf (report, "  display              %s\n",
                          g_getenv ("WAYLAND_DISPLAY") ? "wayland" :
                          g_getenv ("DISPLAY") ? "x11" : "none (headless)");
  g_string_append_printf (report, "  flatpak              %s\n",
                          g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ? "yes" : "no");

  g_string_append (report, "\nProfile\n");
  g_string_append_printf (report, "  SERO_HOME            %s\n", sero_paths_get_home (paths));
  g_string_append_printf (report, "  chosen by            %s\n",
                          sero_home_source_to_string (sero_paths_get_source (paths)));

  g_string_append (report, "\nState files (existence and mode only; contents are never read)\n");
  map = sero_path_map (&n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      g_autofree char *path = NULL;

      if (map[i].base == SERO_PATH_BASE_ABSOLUTE)
        continue;

      path = sero_paths_build_entry (paths, &map[i]);
      describe_file (report, map[i].name, path, map[i].secret);
    }

  g_string_append (report, "\nPath map\n");
  for (guint i = 0; i < n_entries; i++)
    {
      g_autofree char *path = sero_paths_build_entry (paths, &map[i]);

      g_string_append_printf (report, "  %-20s %s\n", map[i].name, path);
    }

  g_string_append (report, "\nContainer runtimes\n");
  describe_engine (report);

  return sero_redact (report->str);
}
