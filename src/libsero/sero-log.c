/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-log.h"
#include "sero-redact.h"

/* Log files under <SERO_HOME>/logs/, one per component (sero-app.log,
 * sero-cli.log, sero-gateway.log …), each reachable as /tmp/sero-<component>.log
 * where the seed's troubleshooting page tells people to look. Every line goes
 * through sero_redact() before it reaches the file or the terminal. */

static GMutex log_lock;
static int log_fd = -1;
static char *log_path;
static gsize writer_installed;

/* /tmp is shared: only replace our own symlink or nothing, never a file or
 * another user's link (the sticky bit stops that anyway; we do not try). */
static void
link_into_tmp (const char *component,
               const char *target)
{
  g_autofree char *link = g_strdup_printf ("/tmp/sero-%s.log", component);
  struct stat st;

  if (g_lstat (link, &st) == 0)
    {
      g_autofree char *current = NULL;

      if (!S_ISLNK (st.st_mode) || st.st_uid != getuid ())
        return;

      current = g_file_read_link (link, NULL);
      if (g_strcmp0 (current, target) == 0)
        return;

      if (g_unlink (link) != 0)
        return;
    }

  if (symlink (target, link) != 0)
    g_debug ("Could not link %s to %s: %s", link, target, g_strerror (errno));
}

static const char *
level_name (GLogLevelFlags level)
{
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR:    return "ERROR";
    case G_LOG_LEVEL_CRITICAL: return "CRITICAL";
    case G_LOG_LEVEL_WARNING:  return "WARNING";
    case G_LOG_LEVEL_MESSAGE:  return "MESSAGE";
    case G_LOG_LEVEL_INFO:     return "INFO";
    case G_LOG_LEVEL_DEBUG:    return "DEBUG";
    default:                   return "LOG";
    }
}

static GLogWriterOutput
sero_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  g_autofree char *clean = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *line = NULL;
  GLogField *redacted_fields;
  gboolean debug_enabled;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  debug_enabled = !g_log_writer_default_would_drop (log_level, domain);
  if (!debug_enabled && (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)))
    return G_LOG_WRITER_HANDLED;

  clean = sero_redact (message ? message : "");
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%f%z");
  line = g_strdup_printf ("%s %s %s: %s\n", stamp, level_name (log_level),
                          domain ? domain : "sero", clean);

  g_mutex_lock (&log_lock);
  if (log_fd >= 0)
    {
      gsize len = strlen (line);
      gssize written = write (log_fd, line, len);

      (void) written;
    }
  g_mutex_unlock (&log_lock);

  /* The terminal sees the same redacted message through GLib's own writer,
   * so G_MESSAGES_DEBUG and the usual formatting keep working. */
  redacted_fields = g_newa (GLogField, n_fields);
  for (gsize i = 0; i < n_fields; i++)
    {
      redacted_fields[i] = fields[i];
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        {
          redacted_fields[i].value = clean;
          redacted_fields[i].length = -1;
        }
    }

  return g_log_writer_default (log_level, redacted_fields, n_fields, user_data);
}

/**
 * sero_log_init:
 * @component: short name such as "app", "cli" or "gateway"
 * @logs_dir: <SERO_HOME>/logs
 *
 * Opens the component's log file for appending (0600, folder 0700), links
 * it from /tmp and routes every GLib log message through the redactor.
 * Without a log file (a read-only home, say) messages still reach stderr.
 */
gboolean
sero_log_init (const char  *component,
               const char  *logs_dir,
               GError     **error)
{
  g_autofree char *path = NULL;
  int fd;

  g_return_val_if_fail (component != NULL, FALSE);
  g_return_val_if_fail (logs_dir != NULL, FALSE);

  /* GLib allows one writer per process; a second application instance in
   * the same process (the UI tests) only changes the file. */
  if (g_once_init_enter (&writer_installed))
    {
      g_log_set_writer_func (sero_log_writer, NULL, NULL);
      g_once_init_leave (&writer_installed, TRUE);
    }

  if (!sero_file_ensure_private_dir (logs_dir, error))
    return FALSE;

  path = g_strdup_printf ("%s/sero-%s.log", logs_dir, component);
  fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not open the log file %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  g_mutex_lock (&log_lock);
  if (log_fd >= 0)
    close (log_fd);
  log_fd = fd;
  g_free (log_path);
  log_path = g_strdup (path);
  g_mutex_unlock (&log_lock);

  link_into_tmp (component, path);

  return TRUE;
}

const char *
sero_log_get_path (void)
{
  return log_path;
}

void
sero_log_shutdown (void)
{
  g_mutex_lock (&log_lock);
  if (log_fd >= 0)
    close (log_fd);
  log_fd = -1;
  g_clear_pointer (&log_path, g_free);
  g_mutex_unlock (&log_lock);
}
