/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-terminal"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

/* Only the option bits are used, so no code unit width is needed. The
 * header comes with libpcre2-dev, which vte-2.91-gtk4's development
 * package depends on. */
#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include <glib/gi18n.h>
#include <vte/vte.h>

#include "sero-terminal.h"

/* A terminal tab: a VteTerminal running a login shell in the runtime of a
 * workspace (its `sero-<id>` container, or the host).
 *
 * Starting never blocks: the runtime is ensured in a worker thread while a
 * "Starting Container…" page shows. When the container engine is missing
 * or not running, the manager falls back to the host and the terminal says
 * so in a banner. When the engine is there but the container cannot start
 * (a missing image, a name collision) the terminal does not silently drop
 * to a host shell, which the person may mistake for the sandbox (reference
 * §5.1, runtime-v2: "no silent host fallback"); it shows the error with
 * Retry and "Open on Host" instead (issue 5).
 *
 * While the shell lives the runtime counts it as an open terminal, so a
 * change of mounts or image does not recreate the container under it. */

#define ZOOM_MIN  0.5
#define ZOOM_MAX  4.0
#define ZOOM_STEP 1.1

/* http(s) links, not ending in punctuation that usually closes a sentence
 * or a bracket around the link. */
#define URL_PATTERN "\\bhttps?://[^\\s<>\"'`]*[^\\s<>\"'`.,;:!?)\\]}]"

struct _SeroTerminal
{
  GtkWidget           parent_instance;

  SeroRuntimeManager *manager;
  SeroWorkspace      *workspace;
  SeroRuntime        *runtime;
  SeroRuntime        *held;
  GCancellable       *cancellable;
  char               *title;
  char               *fallback_reason;
  char               *failure;
  char               *link;
  SeroTerminalState   state;
  int                 exit_status;
  int                 url_tag;

  GtkStack           *stack;
  AdwStatusPage      *starting_page;
  GtkSpinner         *spinner;
  AdwStatusPage      *error_page;
  GtkButton          *retry_button;
  GtkButton          *host_button;
  GtkInfoBar         *fallback_bar;
  GtkLabel           *fallback_label;
  GtkInfoBar         *exited_bar;
  GtkLabel           *exited_label;
  GtkButton          *restart_button;
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkToggleButton    *case_button;
  GtkToggleButton    *regex_button;
  GtkScrolledWindow  *scroller;
  VteTerminal        *vte;
  GMenuModel         *context_menu;
  GtkWidget          *popover;
};

G_DEFINE_FINAL_TYPE (SeroTerminal, sero_terminal, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (SeroTerminalState, sero_terminal_state,
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_STATE_EXITED, "exited"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_STATE_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (SeroTerminalRuntimeKind, sero_terminal_runtime_kind,
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_RUNTIME_NONE, "none"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_RUNTIME_HOST, "host"),
  G_DEFINE_ENUM_VALUE (SERO_TERMINAL_RUNTIME_CONTAINER, "container"))

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_WORKSPACE,
  PROP_TITLE,
  PROP_STATE,
  PROP_RUNTIME_KIND,
  PROP_IS_CONTAINER,
  PROP_FALLBACK_REASON,
  PROP_EXITED,
  PROP_EXIT_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One table feeds both the class key bindings (what the shortcuts window
 * documents, active anywhere in the widget) and a capture-phase controller
 * on the VteTerminal: VTE turns every key it gets into input for the shell
 * (Ctrl+Shift+C would reach it as ^C), so the bindings must see the key
 * before VTE does. */
static const struct {
  guint            keyval;
  GdkModifierType  modifiers;
  const char      *action;
} terminal_shortcuts[] = {
  { GDK_KEY_c,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.copy" },
  { GDK_KEY_v,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.paste" },
  { GDK_KEY_a,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.select-all" },
  { GDK_KEY_f,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.find" },
  { GDK_KEY_g,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.find-next" },
  { GDK_KEY_h,           GDK_CONTROL_MASK | GDK_SHIFT_MASK, "terminal.find-previous" },
  { GDK_KEY_plus,        GDK_CONTROL_MASK,                  "terminal.zoom-in" },
  { GDK_KEY_equal,       GDK_CONTROL_MASK,                  "terminal.zoom-in" },
  { GDK_KEY_KP_Add,      GDK_CONTROL_MASK,                  "terminal.zoom-in" },
  { GDK_KEY_minus,       GDK_CONTROL_MASK,                  "terminal.zoom-out" },
  { GDK_KEY_KP_Subtract, GDK_CONTROL_MASK,                  "terminal.zoom-out" },
  { GDK_KEY_0,           GDK_CONTROL_MASK,                  "terminal.zoom-reset" },
  { GDK_KEY_KP_0,        GDK_CONTROL_MASK,                  "terminal.zoom-reset" },
  { GDK_KEY_Menu,        0,                                 "terminal.popup-menu" },
  { GDK_KEY_F10,         GDK_SHIFT_MASK,                    "terminal.popup-menu" },
};

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.f, ((hex) >> 8 & 0xff) / 255.f, ((hex) & 0xff) / 255.f, 1.f }

/* Foreground and background follow libadwaita's view colors so a
 * terminal sits in the window like any other view; the 16 colors are the
 * GNOME palette's, readable on both. */
static const GdkRGBA light_fg = RGB (0x241f31);
static const GdkRGBA light_bg = RGB (0xffffff);
static const GdkRGBA dark_fg = RGB (0xffffff);
static const GdkRGBA dark_bg = RGB (0x1e1e1e);
static const GdkRGBA palette[16] = {
  RGB (0x241f31), RGB (0xc01c28), RGB (0x2ec27e), RGB (0xe5a50a),
  RGB (0x1e78e4), RGB (0x9841bb), RGB (0x0ab9dc), RGB (0xc0bfbc),
  RGB (0x5e5c64), RGB (0xed333b), RGB (0x57e389), RGB (0xf8e45c),
  RGB (0x51a1ff), RGB (0xc061cb), RGB (0x4fd2fd), RGB (0xf6f5f4),
};

#undef RGB

static void sero_terminal_spawn (SeroTerminal *self,
                                 SeroRuntime  *runtime,
                                 const char   *fallback_reason);

/* g_set_str() arrived in GLib 2.76; our floor is 2.74. */
static gboolean
replace_str (char       **str,
             const char  *value)
{
  if (g_strcmp0 (*str, value) == 0)
    return FALSE;

  g_free (*str);
  *str = g_strdup (value);
  return TRUE;
}

static gboolean
is_web_link (const char *uri)
{
  const char *scheme = uri ? g_uri_peek_scheme (uri) : NULL;

  return g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0;
}

/* Only an engine that is absent or stopped is a reason to run on the host
 * without asking; a container that failed shows its error with Retry and
 * Open on Host instead (no silent fallback for a real failure). */
static gboolean
engine_unavailable (const GError *why)
{
  return g_error_matches (why, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED) ||
         g_error_matches (why, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING);
}

static gboolean
focus_is_within (SeroTerminal *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

  return focus == NULL || focus == GTK_WIDGET (self) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self));
}

static void
sero_terminal_update_actions (SeroTerminal *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean has_view = g_strcmp0 (page, "terminal") == 0;
  gboolean can_use_host = self->state == SERO_TERMINAL_STATE_FAILED &&
                          sero_workspace_get_backend (self->workspace) != SERO_RUNTIME_BACKEND_HOST;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "terminal.restart", self->state == SERO_TERMINAL_STATE_EXITED);
  gtk_widget_action_set_enabled (widget, "terminal.retry", self->state == SERO_TERMINAL_STATE_FAILED);
  gtk_widget_action_set_enabled (widget, "terminal.open-on-host", can_use_host);
  gtk_widget_set_visible (GTK_WIDGET (self->host_button), can_use_host);

  gtk_widget_action_set_enabled (widget, "terminal.open-link", has_view && self->link != NULL);
  gtk_widget_action_set_enabled (widget, "terminal.copy-link", has_view && self->link != NULL);

  /* Copy stays enabled without a selection: a disabled action would let
   * Ctrl+Shift+C fall through to VTE, which sends ^C to the shell. */
  gtk_widget_action_set_enabled (widget, "terminal.copy", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.paste", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.select-all", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.find", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.find-next", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.find-previous", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.zoom-in", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.zoom-out", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.zoom-reset", has_view);
  gtk_widget_action_set_enabled (widget, "terminal.popup-menu", has_view);
}

static void
sero_terminal_set_state (SeroTerminal      *self,
                         SeroTerminalState  state)
{
  gboolean was_exited;

  if (self->state == state)
    return;

  was_exited = self->state == SERO_TERMINAL_STATE_EXITED;
  self->state = state;

  gtk_spinner_set_spinning (self->spinner, state == SERO_TERMINAL_STATE_STARTING);
  sero_terminal_update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_exited != (state == SERO_TERMINAL_STATE_EXITED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXITED]);
}

static void
sero_terminal_set_page (SeroTerminal *self,
                        const char   *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  sero_terminal_update_actions (self);
}

static void
sero_terminal_set_runtime (SeroTerminal *self,
                           SeroRuntime  *runtime)
{
  gboolean was_container = sero_terminal_get_is_container (self);
  SeroTerminalRuntimeKind old_kind = sero_terminal_get_runtime_kind (self);

  if (!g_set_object (&self->runtime, runtime))
    return;

  if (old_kind != sero_terminal_get_runtime_kind (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNTIME_KIND]);
  if (was_container != sero_terminal_get_is_container (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_CONTAINER]);
}

static void
sero_terminal_set_fallback_reason (SeroTerminal *self,
                                   const char   *reason)
{
  if (reason != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Running on the host: %s"), reason);

      gtk_label_set_text (self->fallback_label, text);
    }
  gtk_info_bar_set_revealed (self->fallback_bar, reason != NULL);

  if (replace_str (&self->fallback_reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FALLBACK_REASON]);
}

static void
sero_terminal_update_title (SeroTerminal *self)
{
  const char *title = self->vte ? vte_terminal_get_window_title (self->vte) : NULL;

  if (title == NULL || title[0] == '\0')
    title = sero_workspace_get_name (self->workspace);
  if (title == NULL || title[0] == '\0')
    title = sero_workspace_get_id (self->workspace);

  if (replace_str (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
on_window_title_changed (SeroTerminal *self,
                         GParamSpec   *pspec,
                         VteTerminal  *vte)
{
  sero_terminal_update_title (self);
}

static void
sero_terminal_update_colors (SeroTerminal *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  if (self->vte == NULL)
    return;

  vte_terminal_set_colors (self->vte,
                           dark ? &dark_fg : &light_fg,
                           dark ? &dark_bg : &light_bg,
                           palette, G_N_ELEMENTS (palette));
}

static void
sero_terminal_release_runtime (SeroTerminal *self)
{
  g_autoptr(SeroRuntime) held = g_steal_pointer (&self->held);

  if (held != NULL)
    sero_runtime_release_terminal (held);
}

/* A fresh cancellable per attempt: a Retry must not be answered by the
 * callback of the attempt it replaced. */
static GCancellable *
sero_terminal_renew_cancellable (SeroTerminal *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  return self->cancellable;
}

static void
sero_terminal_show_failure (SeroTerminal *self,
                            const char   *message)
{
  gboolean container = sero_workspace_get_backend (self->workspace) != SERO_RUNTIME_BACKEND_HOST &&
                       (self->runtime == NULL || sero_runtime_is_container (self->runtime));
  gboolean had_focus = focus_is_within (self);
  g_autofree char *markup = g_markup_escape_text (message, -1);

  replace_str (&self->failure, message);
  sero_terminal_release_runtime (self);

  adw_status_page_set_title (self->error_page,
                             container ? _("The Container Did Not Start") : _("The Shell Did Not Start"));
  adw_status_page_set_description (self->error_page, markup);

  sero_terminal_set_state (self, SERO_TERMINAL_STATE_FAILED);
  sero_terminal_set_page (self, "error");

  if (had_focus)
    gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
}

static void
sero_terminal_show_starting (SeroTerminal *self)
{
  gboolean container = sero_workspace_get_backend (self->workspace) != SERO_RUNTIME_BACKEND_HOST;

  adw_status_page_set_title (self->starting_page,
                             container ? _("Starting Container…") : _("Starting Shell…"));
  adw_status_page_set_description (self->starting_page, sero_workspace_get_name (self->workspace));

  sero_terminal_set_state (self, SERO_TERMINAL_STATE_STARTING);
  sero_terminal_set_page (self, "starting");
}

static void
on_spawned (VteTerminal *vte,
            GPid         pid,
            GError      *error,
            gpointer     user_data)
{
  g_autoptr(SeroTerminal) self = user_data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->vte == NULL)
    return;

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The shell could not be started: %s"), error->message);

      sero_terminal_show_failure (self, message);
      return;
    }

  g_debug ("Shell %d started in %s", pid,
           sero_runtime_is_container (self->runtime) ? sero_runtime_get_container_name (self->runtime) : "the host");

  g_assert (self->held == NULL);
  self->held = g_object_ref (self->runtime);
  sero_runtime_hold_terminal (self->held);

  sero_terminal_set_state (self, SERO_TERMINAL_STATE_RUNNING);
}

static void
sero_terminal_spawn (SeroTerminal *self,
                     SeroRuntime  *runtime,
                     const char   *fallback_reason)
{
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  GSpawnFlags flags = G_SPAWN_SEARCH_PATH;
  gboolean had_focus = focus_is_within (self);

  g_assert (SERO_IS_RUNTIME (runtime));
  g_assert (self->held == NULL);

  sero_terminal_set_runtime (self, runtime);

  argv = sero_runtime_build_terminal_argv (runtime, NULL, &envp);
  if (argv == NULL || argv[0] == NULL)
    {
      sero_terminal_show_failure (self, _("The runtime did not provide a shell to run."));
      return;
    }

  /* VTE adds envp to its own environment unless told not to; the host
   * runtime's list is the whole environment, with secrets taken out. */
  if (envp != NULL)
    flags |= VTE_SPAWN_NO_PARENT_ENVV;

  sero_terminal_set_fallback_reason (self, fallback_reason);
  gtk_info_bar_set_revealed (self->exited_bar, FALSE);
  sero_terminal_set_state (self, SERO_TERMINAL_STATE_STARTING);
  sero_terminal_set_page (self, "terminal");
  if (had_focus)
    gtk_widget_grab_focus (GTK_WIDGET (self->vte));

  vte_terminal_spawn_async (self->vte,
                            VTE_PTY_DEFAULT,
                            sero_workspace_get_path (self->workspace),
                            argv,
                            envp,
                            flags,
                            NULL, NULL, NULL,
                            -1,
                            self->cancellable,
                            on_spawned,
                            g_object_ref (self));
}

static void
on_ensured (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SeroRuntimeManager *manager = SERO_RUNTIME_MANAGER (object);
  g_autoptr(SeroTerminal) self = user_data;
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  SeroRuntime *desired;

  runtime = sero_runtime_manager_ensure_finish (manager, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->vte == NULL)
    return;

  if (runtime == NULL)
    {
      sero_terminal_show_failure (self, error->message);
      return;
    }

  desired = sero_runtime_manager_get_runtime (manager, self->workspace);
  if (runtime != desired)
    {
      g_autoptr(GError) why = sero_runtime_manager_dup_fallback_error (manager, self->workspace);

      reason = sero_runtime_manager_dup_fallback_reason (manager, self->workspace);
      if (!engine_unavailable (why))
        {
          g_autofree char *message = sero_runtime_dup_status_message (desired);

          sero_terminal_show_failure (self, message ? message : reason ? reason : _("Unknown error"));
          return;
        }
    }

  sero_terminal_spawn (self, runtime, reason);
}

/**
 * sero_terminal_start:
 *
 * Ensures the workspace's runtime in the background, then spawns a login
 * shell in it. Does nothing while a shell is starting or running.
 */
void
sero_terminal_start (SeroTerminal *self)
{
  g_return_if_fail (SERO_IS_TERMINAL (self));

  if (self->state == SERO_TERMINAL_STATE_STARTING || self->state == SERO_TERMINAL_STATE_RUNNING)
    return;

  sero_terminal_show_starting (self);
  sero_runtime_manager_ensure_async (self->manager,
                                     self->workspace,
                                     sero_terminal_renew_cancellable (self),
                                     on_ensured,
                                     g_object_ref (self));
}

static void
on_runtime_ensured_for_restart (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  SeroRuntime *runtime = SERO_RUNTIME (object);
  g_autoptr(SeroTerminal) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sero_runtime_ensure_finish (runtime, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->vte != NULL)
        sero_terminal_show_failure (self, error->message);
      return;
    }

  if (self->vte == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  sero_terminal_spawn (self, runtime, self->fallback_reason);
}

/**
 * sero_terminal_restart:
 *
 * Starts a new shell after the last one exited, in the same runtime (made
 * usable again first: the container may have been stopped meanwhile). The
 * old output stays above the new prompt.
 */
void
sero_terminal_restart (SeroTerminal *self)
{
  g_return_if_fail (SERO_IS_TERMINAL (self));

  if (self->runtime == NULL)
    {
      sero_terminal_start (self);
      return;
    }

  if (self->state != SERO_TERMINAL_STATE_EXITED)
    return;

  /* A program that died in the alternate screen or with odd modes would
   * otherwise leave them to the new shell. */
  vte_terminal_reset (self->vte, TRUE, FALSE);
  vte_terminal_feed (self->vte, "\r\n", -1);

  gtk_info_bar_set_revealed (self->exited_bar, FALSE);
  sero_terminal_set_state (self, SERO_TERMINAL_STATE_STARTING);
  sero_runtime_ensure_async (self->runtime,
                             sero_terminal_renew_cancellable (self),
                             on_runtime_ensured_for_restart,
                             g_object_ref (self));
}

static void
sero_terminal_open_on_host (SeroTerminal *self)
{
  SeroRuntime *host = sero_runtime_manager_get_host_runtime (self->manager, self->workspace);

  if (self->state != SERO_TERMINAL_STATE_FAILED)
    return;

  /* The banner keeps saying why this is not the container. */
  sero_terminal_set_fallback_reason (self, self->failure);
  sero_terminal_show_starting (self);
  adw_status_page_set_title (self->starting_page, _("Starting Shell…"));
  sero_terminal_set_runtime (self, host);
  sero_runtime_ensure_async (host,
                             sero_terminal_renew_cancellable (self),
                             on_runtime_ensured_for_restart,
                             g_object_ref (self));
}

static void
on_child_exited (SeroTerminal *self,
                 int           status,
                 VteTerminal  *vte)
{
  g_autofree char *message = NULL;
  int code;

  sero_terminal_release_runtime (self);

  if (WIFSIGNALED (status))
    {
      code = 128 + WTERMSIG (status);
      message = g_strdup_printf (_("The shell was stopped by signal %d (%s)."),
                                 WTERMSIG (status), g_strsignal (WTERMSIG (status)));
    }
  else
    {
      code = WIFEXITED (status) ? WEXITSTATUS (status) : status;
      if (code == 0)
        message = g_strdup (_("The shell exited."));
      else
        message = g_strdup_printf (_("The shell exited with status %d."), code);
    }

  gtk_label_set_text (self->exited_label, message);
  gtk_info_bar_set_revealed (self->exited_bar, TRUE);

  if (self->exit_status != code)
    {
      self->exit_status = code;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_STATUS]);
    }

  sero_terminal_set_state (self, SERO_TERMINAL_STATE_EXITED);
}

static void
on_fallback_dismissed (SeroTerminal *self,
                       GtkButton    *button)
{
  gtk_info_bar_set_revealed (self->fallback_bar, FALSE);
}

/* Find */

static void
on_search_changed (SeroTerminal *self,
                   GtkWidget    *widget)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint32 flags = VTE_REGEX_FLAGS_DEFAULT | PCRE2_MULTILINE;
  g_autofree char *escaped = NULL;
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  if (text[0] == '\0')
    {
      vte_terminal_search_set_regex (self->vte, NULL, 0);
      return;
    }

  if (!gtk_toggle_button_get_active (self->case_button))
    flags |= PCRE2_CASELESS;
  if (!gtk_toggle_button_get_active (self->regex_button))
    text = escaped = g_regex_escape_string (text, -1);

  if (!(regex = vte_regex_new_for_search (text, -1, flags, &error)))
    {
      g_debug ("Not a search pattern: %s", error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
      vte_terminal_search_set_regex (self->vte, NULL, 0);
      return;
    }

  /* JIT is only a speed-up; PCRE2 may be built without it. */
  vte_regex_jit (regex, PCRE2_JIT_COMPLETE, NULL);
  vte_regex_jit (regex, PCRE2_JIT_PARTIAL_SOFT, NULL);
  vte_terminal_search_set_regex (self->vte, regex, 0);

  /* Typing finds the most recent match, the one nearest the prompt. */
  vte_terminal_unselect_all (self->vte);
  vte_terminal_search_find_previous (self->vte);
}

static void
sero_terminal_find_next (SeroTerminal *self)
{
  if (vte_terminal_search_get_regex (self->vte) == NULL)
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  else
    vte_terminal_search_find_next (self->vte);
}

static void
sero_terminal_find_previous (SeroTerminal *self)
{
  if (vte_terminal_search_get_regex (self->vte) == NULL)
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  else
    vte_terminal_search_find_previous (self->vte);
}

static void
on_search_activate (SeroTerminal   *self,
                    GtkSearchEntry *entry)
{
  sero_terminal_find_next (self);
}

static void
on_search_next_match (SeroTerminal   *self,
                      GtkSearchEntry *entry)
{
  sero_terminal_find_next (self);
}

static void
on_search_previous_match (SeroTerminal   *self,
                          GtkSearchEntry *entry)
{
  sero_terminal_find_previous (self);
}

static void
on_search_mode_changed (SeroTerminal *self,
                        GParamSpec   *pspec,
                        GtkSearchBar *bar)
{
  if (gtk_search_bar_get_search_mode (bar))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return;
    }

  vte_terminal_search_set_regex (self->vte, NULL, 0);
  if (focus_is_within (self))
    gtk_widget_grab_focus (GTK_WIDGET (self->vte));
}

/* Links and the context menu */

static char *
sero_terminal_link_at (SeroTerminal *self,
                       double        x,
                       double        y)
{
  g_autofree char *link = vte_terminal_check_hyperlink_at (self->vte, x, y);
  int tag = -1;

  if (link == NULL)
    {
      link = vte_terminal_check_match_at (self->vte, x, y, &tag);
      if (tag != self->url_tag)
        g_clear_pointer (&link, g_free);
    }

  if (!is_web_link (link))
    return NULL;

  return g_steal_pointer (&link);
}

static void
sero_terminal_open_uri (SeroTerminal *self,
                        const char   *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_return_if_fail (is_web_link (uri));

  g_debug ("Opening %s", uri);
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
sero_terminal_popup_at (SeroTerminal *self,
                        double        x,
                        double        y,
                        char         *link)
{
  double tx = x, ty = y;

  g_free (self->link);
  self->link = link;
  sero_terminal_update_actions (self);

  gtk_widget_translate_coordinates (GTK_WIDGET (self->vte), GTK_WIDGET (self), x, y, &tx, &ty);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &(GdkRectangle) { (int) tx, (int) ty, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
on_click_pressed (SeroTerminal    *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *click)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (click));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (click)) &
                          gtk_accelerator_get_default_mod_mask ();

  if (n_press == 1 && button == GDK_BUTTON_PRIMARY && state == GDK_CONTROL_MASK)
    {
      g_autofree char *link = sero_terminal_link_at (self, x, y);

      if (link != NULL)
        {
          gtk_gesture_set_state (GTK_GESTURE (click), GTK_EVENT_SEQUENCE_CLAIMED);
          sero_terminal_open_uri (self, link);
          return;
        }
    }

  if (n_press == 1 && button == GDK_BUTTON_SECONDARY)
    {
      gtk_gesture_set_state (GTK_GESTURE (click), GTK_EVENT_SEQUENCE_CLAIMED);
      sero_terminal_popup_at (self, x, y, sero_terminal_link_at (self, x, y));
      return;
    }

  gtk_gesture_set_state (GTK_GESTURE (click), GTK_EVENT_SEQUENCE_DENIED);
}

/* Actions */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  if (vte_terminal_get_has_selection (self->vte))
    vte_terminal_copy_clipboard_format (self->vte, VTE_FORMAT_TEXT);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  vte_terminal_paste_clipboard (SERO_TERMINAL (widget)->vte);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  vte_terminal_select_all (SERO_TERMINAL (widget)->vte);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
find_next_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  sero_terminal_find_next (SERO_TERMINAL (widget));
}

static void
find_previous_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  sero_terminal_find_previous (SERO_TERMINAL (widget));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);
  double scale = vte_terminal_get_font_scale (self->vte);

  if (g_str_equal (action_name, "terminal.zoom-in"))
    scale *= ZOOM_STEP;
  else if (g_str_equal (action_name, "terminal.zoom-out"))
    scale /= ZOOM_STEP;
  else
    scale = 1.0;

  /* Snap back to exactly 1 when stepping lands near it. */
  if (G_APPROX_VALUE (scale, 1.0, 0.01))
    scale = 1.0;

  vte_terminal_set_font_scale (self->vte, CLAMP (scale, ZOOM_MIN, ZOOM_MAX));
}

static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  if (self->link != NULL)
    sero_terminal_open_uri (self, self->link);
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  if (self->link != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->link);
}

static void
popup_menu_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->vte));
  glong column = 0;
  glong row = 0;
  double top;

  /* From the keyboard the menu points at the cursor cell. */
  vte_terminal_get_cursor_position (self->vte, &column, &row);
  top = vadjustment ? gtk_adjustment_get_value (vadjustment) : 0;
  sero_terminal_popup_at (self,
                          (column + 0.5) * vte_terminal_get_char_width (self->vte),
                          (row - top + 1) * vte_terminal_get_char_height (self->vte),
                          NULL);
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  sero_terminal_restart (SERO_TERMINAL (widget));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  if (self->state == SERO_TERMINAL_STATE_FAILED)
    sero_terminal_start (self);
}

static void
open_on_host_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  sero_terminal_open_on_host (SERO_TERMINAL (widget));
}

/* GtkWidget */

static void
sero_terminal_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  gtk_widget_measure (GTK_WIDGET (SERO_TERMINAL (widget)->stack), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

/* Allocated by hand rather than by a layout manager: the context menu is
 * our own popover and must be presented on every allocation. */
static void
sero_terminal_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  gtk_widget_allocate (GTK_WIDGET (self->stack), width, height, baseline, NULL);
  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static GtkSizeRequestMode
sero_terminal_get_request_mode (GtkWidget *widget)
{
  return gtk_widget_get_request_mode (GTK_WIDGET (SERO_TERMINAL (widget)->stack));
}

static gboolean
sero_terminal_grab_focus (GtkWidget *widget)
{
  SeroTerminal *self = SERO_TERMINAL (widget);

  if (self->state == SERO_TERMINAL_STATE_FAILED)
    return gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));

  return gtk_widget_grab_focus (GTK_WIDGET (self->vte));
}

/* GObject */

static void
sero_terminal_constructed (GObject *object)
{
  SeroTerminal *self = (SeroTerminal *) object;

  G_OBJECT_CLASS (sero_terminal_parent_class)->constructed (object);

  g_assert (SERO_IS_RUNTIME_MANAGER (self->manager));
  g_assert (SERO_IS_WORKSPACE (self->workspace));

  g_signal_connect_object (self->workspace, "notify::name",
                           G_CALLBACK (sero_terminal_update_title), self, G_CONNECT_SWAPPED);
  sero_terminal_update_title (self);
  sero_terminal_update_actions (self);
}

static void
sero_terminal_dispose (GObject *object)
{
  SeroTerminal *self = (SeroTerminal *) object;

  g_cancellable_cancel (self->cancellable);
  sero_terminal_release_runtime (self);

  /* VTE may still report the child while it goes away; nobody listens. */
  if (self->vte != NULL)
    g_signal_handlers_disconnect_by_data (self->vte, self);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_TERMINAL);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->runtime);
  g_clear_object (&self->workspace);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (sero_terminal_parent_class)->dispose (object);
}

static void
sero_terminal_finalize (GObject *object)
{
  SeroTerminal *self = (SeroTerminal *) object;

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->fallback_reason, g_free);
  g_clear_pointer (&self->failure, g_free);
  g_clear_pointer (&self->link, g_free);

  G_OBJECT_CLASS (sero_terminal_parent_class)->finalize (object);
}

static void
sero_terminal_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SeroTerminal *self = SERO_TERMINAL (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;

    case PROP_WORKSPACE:
      g_value_set_object (value, self->workspace);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_RUNTIME_KIND:
      g_value_set_enum (value, sero_terminal_get_runtime_kind (self));
      break;

    case PROP_IS_CONTAINER:
      g_value_set_boolean (value, sero_terminal_get_is_container (self));
      break;

    case PROP_FALLBACK_REASON:
      g_value_set_string (value, self->fallback_reason);
      break;

    case PROP_EXITED:
      g_value_set_boolean (value, sero_terminal_get_exited (self));
      break;

    case PROP_EXIT_STATUS:
      g_value_set_int (value, self->exit_status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_terminal_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SeroTerminal *self = SERO_TERMINAL (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;

    case PROP_WORKSPACE:
      self->workspace = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_terminal_class_init (SeroTerminalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sero_terminal_constructed;
  object_class->dispose = sero_terminal_dispose;
  object_class->finalize = sero_terminal_finalize;
  object_class->get_property = sero_terminal_get_property;
  object_class->set_property = sero_terminal_set_property;

  widget_class->measure = sero_terminal_measure;
  widget_class->size_allocate = sero_terminal_size_allocate;
  widget_class->get_request_mode = sero_terminal_get_request_mode;
  widget_class->grab_focus = sero_terminal_grab_focus;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, SERO_TYPE_RUNTIME_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_WORKSPACE] =
    g_param_spec_object ("workspace", NULL, NULL, SERO_TYPE_WORKSPACE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SeroTerminal:title:
   *
   * The title the shell set, or the workspace's name while it set none.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SERO_TYPE_TERMINAL_STATE, SERO_TERMINAL_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SeroTerminal:runtime-kind:
   *
   * Where the shell runs; none until a runtime was chosen.
   */
  properties[PROP_RUNTIME_KIND] =
    g_param_spec_enum ("runtime-kind", NULL, NULL, SERO_TYPE_TERMINAL_RUNTIME_KIND, SERO_TERMINAL_RUNTIME_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_IS_CONTAINER] =
    g_param_spec_boolean ("is-container", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SeroTerminal:fallback-reason:
   *
   * Why the shell runs on the host although the workspace asks for a
   * container, or %NULL.
   */
  properties[PROP_FALLBACK_REASON] =
    g_param_spec_string ("fallback-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_EXITED] =
    g_param_spec_boolean ("exited", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SeroTerminal:exit-status:
   *
   * The last shell's exit status; 128 + N when signal N ended it.
   */
  properties[PROP_EXIT_STATUS] =
    g_param_spec_int ("exit-status", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VTE_TYPE_TERMINAL);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/sero-terminal.ui");
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, starting_page);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, spinner);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, error_page);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, retry_button);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, host_button);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, fallback_bar);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, fallback_label);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, exited_bar);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, exited_label);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, restart_button);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, case_button);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, regex_button);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, scroller);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, vte);
  gtk_widget_class_bind_template_child (widget_class, SeroTerminal, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_child_exited);
  gtk_widget_class_bind_template_callback (widget_class, on_window_title_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_fallback_dismissed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_mode_changed);

  gtk_widget_class_install_action (widget_class, "terminal.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "terminal.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "terminal.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "terminal.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "terminal.find-next", NULL, find_next_action);
  gtk_widget_class_install_action (widget_class, "terminal.find-previous", NULL, find_previous_action);
  gtk_widget_class_install_action (widget_class, "terminal.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "terminal.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "terminal.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "terminal.open-link", NULL, open_link_action);
  gtk_widget_class_install_action (widget_class, "terminal.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "terminal.popup-menu", NULL, popup_menu_action);
  gtk_widget_class_install_action (widget_class, "terminal.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "terminal.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "terminal.open-on-host", NULL, open_on_host_action);

  for (guint i = 0; i < G_N_ELEMENTS (terminal_shortcuts); i++)
    gtk_widget_class_add_binding_action (widget_class,
                                         terminal_shortcuts[i].keyval,
                                         terminal_shortcuts[i].modifiers,
                                         terminal_shortcuts[i].action,
                                         NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sero_terminal_init (SeroTerminal *self)
{
  g_autoptr(VteRegex) url_regex = NULL;
  g_autoptr(GError) error = NULL;
  GtkEventController *shortcuts;
  GtkGesture *click;

  self->url_tag = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (terminal_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (terminal_shortcuts[i].keyval,
                                                                                    terminal_shortcuts[i].modifiers),
                                                            gtk_named_action_new (terminal_shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self->vte), shortcuts);

  /* Capture phase, so Ctrl+click on a link and the right button reach us
   * before VTE starts a selection. */
  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_click_pressed), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->vte), GTK_EVENT_CONTROLLER (click));

  self->popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));

  url_regex = vte_regex_new_for_match (URL_PATTERN, -1,
                                       VTE_REGEX_FLAGS_DEFAULT | PCRE2_MULTILINE | PCRE2_CASELESS,
                                       &error);
  if (url_regex == NULL)
    g_critical ("The link pattern does not compile: %s", error->message);
  else
    {
      self->url_tag = vte_terminal_match_add_regex (self->vte, url_regex, 0);
      vte_terminal_match_set_cursor_name (self->vte, self->url_tag, "pointer");
    }

  vte_terminal_search_set_wrap_around (self->vte, TRUE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (sero_terminal_update_colors), self, G_CONNECT_SWAPPED);
  sero_terminal_update_colors (self);
}

/**
 * sero_terminal_new:
 *
 * Returns: (transfer floating): a terminal for @workspace; call
 *   sero_terminal_start() to open its shell
 */
SeroTerminal *
sero_terminal_new (SeroRuntimeManager *manager,
                   SeroWorkspace      *workspace)
{
  g_return_val_if_fail (SERO_IS_RUNTIME_MANAGER (manager), NULL);
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  return g_object_new (SERO_TYPE_TERMINAL,
                       "manager", manager,
                       "workspace", workspace,
                       NULL);
}

SeroWorkspace *
sero_terminal_get_workspace (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), NULL);

  return self->workspace;
}

/**
 * sero_terminal_get_runtime:
 *
 * Returns: (transfer none) (nullable): the runtime the shell runs or ran in
 */
SeroRuntime *
sero_terminal_get_runtime (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), NULL);

  return self->runtime;
}

const char *
sero_terminal_get_title (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), NULL);

  return self->title;
}

SeroTerminalState
sero_terminal_get_state (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), SERO_TERMINAL_STATE_IDLE);

  return self->state;
}

SeroTerminalRuntimeKind
sero_terminal_get_runtime_kind (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), SERO_TERMINAL_RUNTIME_NONE);

  if (self->runtime == NULL)
    return SERO_TERMINAL_RUNTIME_NONE;

  return sero_runtime_is_container (self->runtime) ? SERO_TERMINAL_RUNTIME_CONTAINER : SERO_TERMINAL_RUNTIME_HOST;
}

gboolean
sero_terminal_get_is_container (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), FALSE);

  return sero_terminal_get_runtime_kind (self) == SERO_TERMINAL_RUNTIME_CONTAINER;
}

/**
 * sero_terminal_get_fallback_reason:
 *
 * Returns: (nullable): why the shell runs on the host instead of the
 *   workspace's container
 */
const char *
sero_terminal_get_fallback_reason (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), NULL);

  return self->fallback_reason;
}

gboolean
sero_terminal_get_exited (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), FALSE);

  return self->state == SERO_TERMINAL_STATE_EXITED;
}

int
sero_terminal_get_exit_status (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), 0);

  return self->exit_status;
}

/**
 * sero_terminal_get_text:
 *
 * Returns: (transfer full): the text on the terminal's screen
 */
char *
sero_terminal_get_text (SeroTerminal *self)
{
  g_return_val_if_fail (SERO_IS_TERMINAL (self), NULL);

  /* vte_terminal_get_text_format() would be the one to use, from VTE 0.76. */
  return vte_terminal_get_text (self->vte, NULL, NULL, NULL);
}

/**
 * sero_terminal_feed_child:
 * @text: what to type, as UTF-8
 *
 * Types @text into the shell, as if from the keyboard.
 */
void
sero_terminal_feed_child (SeroTerminal *self,
                          const char   *text)
{
  g_return_if_fail (SERO_IS_TERMINAL (self));
  g_return_if_fail (text != NULL);

  vte_terminal_feed_child (self->vte, text, strlen (text));
}
