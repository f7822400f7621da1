/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preview"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "sero-preview-pane.h"
#include "sero-preview-pane-private.h"
#include "sero-preview-policy.h"
#include "sero-preview-resources.h"

/* A dev server's page, locked down (issue 7): a WebKitWebView built with
 * the preview's Content-Security-Policy, whose popups never become windows,
 * whose navigation stays on the dev server, and whose permission requests
 * and downloads are refused. The rules live in sero-preview-policy.c; this
 * file wires them to WebKit's signals.
 *
 * WebKit starts lazily. A pane is only a toolbar and an empty page until
 * the first sero_preview_pane_load(), so Sero runs no web process until
 * a person asks for a preview. Every preview shares one web context and one
 * ephemeral network session, held weakly here and strongly by the views:
 * closing the last preview drops both, and WebKit ends their processes. */

struct _SeroPreviewPane
{
  GtkWidget             parent_instance;

  WebKitWebView        *web_view;       /* owned by web_bin; NULL until the first load */
  WebKitWebContext     *web_context;
  WebKitNetworkSession *network_session;
  char                 *url;
  char                 *origin;
  char                 *title;
  char                 *shown_address;
  guint                 inspector_visible : 1;

  GtkEntry             *address_entry;
  GtkProgressBar       *progress_bar;
  GtkStack             *stack;
  AdwBin               *web_bin;
  AdwStatusPage        *unreachable_page;
};

G_DEFINE_FINAL_TYPE (SeroPreviewPane, sero_preview_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_URL,
  PROP_TITLE,
  PROP_INSPECTOR_VISIBLE,
  N_PROPS
};

enum {
  CLOSE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Weak references: the views own these. */
static WebKitWebContext *shared_context;
static WebKitNetworkSession *shared_session;

/* Browser shortcuts go before the page, as in any browser: a capture-phase
 * controller sees them before WebKit turns them into key events for the
 * page. They are active while the focus is inside the pane. */
static const struct {
  guint            keyval;
  GdkModifierType  modifiers;
  const char      *action;
} pane_shortcuts[] = {
  { GDK_KEY_Left,  GDK_ALT_MASK,                      "preview.back" },
  { GDK_KEY_Right, GDK_ALT_MASK,                      "preview.forward" },
  { GDK_KEY_r,     GDK_CONTROL_MASK,                  "preview.reload" },
  { GDK_KEY_F5,    0,                                 "preview.reload" },
  { GDK_KEY_l,     GDK_CONTROL_MASK,                  "preview.focus-address" },
  { GDK_KEY_i,     GDK_CONTROL_MASK | GDK_SHIFT_MASK, "preview.inspector" },
};

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

static void
download_started_cb (WebKitNetworkSession *session,
                     WebKitDownload       *download)
{
  WebKitURIRequest *request = webkit_download_get_request (download);

  /* The response policy already refuses what would become a download;
   * this catches anything that starts one another way. */
  sero_preview_policy_audit ("refused download", webkit_uri_request_get_uri (request));
  webkit_download_cancel (download);
}

static WebKitNetworkSession *
acquire_network_session (void)
{
  if (shared_session != NULL)
    return g_object_ref (shared_session);

  /* Ephemeral: a preview keeps no cookies, storage or cache on disk, and
   * shares none with anything else in Sero. */
  shared_session = webkit_network_session_new_ephemeral ();
  g_object_add_weak_pointer (G_OBJECT (shared_session), (gpointer *) &shared_session);

  /* Dev servers are on this computer; a system proxy must not see them. */
  webkit_network_session_set_proxy_settings (shared_session, WEBKIT_NETWORK_PROXY_MODE_NO_PROXY, NULL);
  g_signal_connect (shared_session, "download-started", G_CALLBACK (download_started_cb), NULL);

  return shared_session;
}

static WebKitWebContext *
acquire_web_context (void)
{
  if (shared_context != NULL)
    return g_object_ref (shared_context);

  shared_context = webkit_web_context_new ();
  g_object_add_weak_pointer (G_OBJECT (shared_context), (gpointer *) &shared_context);

  /* A preview shows the page as the dev server serves it now: no memory
   * cache or back-forward cache holding an old build. */
  webkit_web_context_set_cache_model (shared_context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);

  return shared_context;
}

GObject *
_sero_preview_peek_network_session (void)
{
  return (GObject *) shared_session;
}

GtkWidget *
_sero_preview_pane_get_web_view (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return (GtkWidget *) self->web_view;
}

const char *
_sero_preview_pane_get_visible_page (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

static void
launch_in_browser (SeroPreviewPane *self,
                   const char      *uri)
{
  sero_preview_policy_audit ("opened externally", uri);
  _sero_preview_launch_in_browser (GTK_WIDGET (self), uri);
}

static void
update_actions (SeroPreviewPane *self)
{
  gboolean has_view = self->web_view != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.back",
                                 has_view && webkit_web_view_can_go_back (self->web_view));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.forward",
                                 has_view && webkit_web_view_can_go_forward (self->web_view));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.reload", self->url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.open-in-browser", self->url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.inspector", has_view);
}

static void
set_title (SeroPreviewPane *self,
           const char      *title)
{
  if (title == NULL || title[0] == '\0')
    title = self->url;

  if (replace_str (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
set_address (SeroPreviewPane *self,
             const char      *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_entry));

  /* Never rewrite what a person is typing: the entry has the focus and
   * holds something other than the address shown last. */
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->address_entry)) &&
      text[0] != '\0' && g_strcmp0 (text, self->shown_address) != 0)
    return;

  replace_str (&self->shown_address, uri);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), uri ? uri : "");
}

static void
show_failure (SeroPreviewPane *self,
              const char      *title,
              const char      *description)
{
  adw_status_page_set_title (self->unreachable_page, title);
  adw_status_page_set_description (self->unreachable_page, description);
  gtk_stack_set_visible_child_name (self->stack, "unreachable");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
}

static void
open_externally_or_deny (SeroPreviewPane    *self,
                         SeroPreviewVerdict  verdict,
                         const char         *denial,
                         const char         *uri)
{
  if (verdict == SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY)
    launch_in_browser (self, uri);
  else
    sero_preview_policy_audit (denial, uri);
}

static gboolean
is_attachment (WebKitURIResponse *response)
{
  SoupMessageHeaders *headers = webkit_uri_response_get_http_headers (response);
  g_autofree char *disposition = NULL;

  if (headers == NULL)
    return FALSE;

  return soup_message_headers_get_content_disposition (headers, &disposition, NULL) &&
         g_ascii_strcasecmp (disposition, "attachment") == 0;
}

static gboolean
decide_policy_cb (SeroPreviewPane          *self,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type)
{
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      {
        WebKitNavigationPolicyDecision *navigation = WEBKIT_NAVIGATION_POLICY_DECISION (decision);
        WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action (navigation);
        const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
        gboolean user_initiated = webkit_navigation_action_is_user_gesture (action);
        SeroPreviewVerdict verdict;

        /* A link with a target is a popup too: it never opens here. */
        if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
          {
            verdict = sero_preview_policy_decide_popup (uri, user_initiated);
            open_externally_or_deny (self, verdict, "denied popup", uri);
            webkit_policy_decision_ignore (decision);
            return TRUE;
          }

        verdict = sero_preview_policy_decide_navigation (self->origin, uri, user_initiated);
        if (verdict == SERO_PREVIEW_VERDICT_ALLOW)
          {
            webkit_policy_decision_use (decision);
            return TRUE;
          }

        open_externally_or_deny (self, verdict, "denied navigation", uri);
        webkit_policy_decision_ignore (decision);
        return TRUE;
      }

    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      {
        WebKitResponsePolicyDecision *response_decision = WEBKIT_RESPONSE_POLICY_DECISION (decision);
        WebKitURIResponse *response = webkit_response_policy_decision_get_response (response_decision);

        if (webkit_response_policy_decision_is_mime_type_supported (response_decision) &&
            !is_attachment (response))
          {
            webkit_policy_decision_use (decision);
            return TRUE;
          }

        sero_preview_policy_audit ("refused download", webkit_uri_response_get_uri (response));
        webkit_policy_decision_ignore (decision);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

/* WebKit asks for a new view for window.open(); a preview never gives one. */
static GtkWidget *
create_cb (SeroPreviewPane        *self,
           WebKitNavigationAction *action)
{
  const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  SeroPreviewVerdict verdict;

  verdict = sero_preview_policy_decide_popup (uri, webkit_navigation_action_is_user_gesture (action));
  open_externally_or_deny (self, verdict, "denied popup", uri);

  return NULL;
}

static const char *
permission_name (WebKitPermissionRequest *request)
{
  if (WEBKIT_IS_GEOLOCATION_PERMISSION_REQUEST (request))
    return "geolocation";
  if (WEBKIT_IS_NOTIFICATION_PERMISSION_REQUEST (request))
    return "notifications";
  if (WEBKIT_IS_CLIPBOARD_PERMISSION_REQUEST (request))
    return "clipboard";
  if (WEBKIT_IS_POINTER_LOCK_PERMISSION_REQUEST (request))
    return "pointer-lock";
  if (WEBKIT_IS_DEVICE_INFO_PERMISSION_REQUEST (request))
    return "device-info";
  if (WEBKIT_IS_MEDIA_KEY_SYSTEM_PERMISSION_REQUEST (request))
    return "media-key-system";
  if (WEBKIT_IS_WEBSITE_DATA_ACCESS_PERMISSION_REQUEST (request))
    return "website-data-access";
  if (WEBKIT_IS_USER_MEDIA_PERMISSION_REQUEST (request))
    {
      WebKitUserMediaPermissionRequest *media = WEBKIT_USER_MEDIA_PERMISSION_REQUEST (request);

      if (webkit_user_media_permission_is_for_display_device (media))
        return "screen";
      if (webkit_user_media_permission_is_for_video_device (media))
        return "camera";
      return "microphone";
    }

  return G_OBJECT_TYPE_NAME (request);
}

/* Every permission is refused, explicitly and audibly, rather than left to
 * WebKit's default: a future WebKit default must not widen the policy. */
static gboolean
permission_request_cb (SeroPreviewPane         *self,
                       WebKitPermissionRequest *request)
{
  sero_preview_policy_audit ("denied permission", permission_name (request));
  webkit_permission_request_deny (request);

  return TRUE;
}

/* navigator.permissions.query() learns "denied" up front, so a page does
 * not wait for a prompt that never comes. */
static gboolean
query_permission_state_cb (SeroPreviewPane            *self,
                           WebKitPermissionStateQuery *query)
{
  webkit_permission_state_query_finish (query, WEBKIT_PERMISSION_STATE_DENIED);

  return TRUE;
}

/* Fullscreen would take over the window the preview sits in. */
static gboolean
enter_fullscreen_cb (SeroPreviewPane *self)
{
  sero_preview_policy_audit ("denied fullscreen", webkit_web_view_get_uri (self->web_view));

  return TRUE;
}

static gboolean
show_notification_cb (SeroPreviewPane    *self,
                      WebKitNotification *notification)
{
  return TRUE;
}

static void
load_changed_cb (SeroPreviewPane *self,
                 WebKitLoadEvent  event)
{
  switch (event)
    {
    case WEBKIT_LOAD_STARTED:
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
      break;

    case WEBKIT_LOAD_COMMITTED:
      gtk_stack_set_visible_child_name (self->stack, "web");
      break;

    case WEBKIT_LOAD_FINISHED:
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      /* WebKit refuses ports that belong to other protocols (1, 6000,
       * 6667 …) without a load-failed: the view just ends up blank. */
      if (self->url != NULL && g_strcmp0 (webkit_web_view_get_uri (self->web_view), "about:blank") == 0)
        {
          g_autofree char *description = NULL;

          description = g_strdup_printf (_("WebKit did not load %s: browsers refuse its port, which "
                                           "belongs to another protocol. Start the dev server on "
                                           "another port."), self->url);
          show_failure (self, _("Dev Server Not Reachable"), description);
        }
      break;

    case WEBKIT_LOAD_REDIRECTED:
    default:
      break;
    }

  update_actions (self);
}

static gboolean
load_failed_cb (SeroPreviewPane *self,
                WebKitLoadEvent  event,
                const char      *failing_uri,
                GError          *error)
{
  g_autofree char *description = NULL;

  g_debug ("Loading %s failed: %s (%s %d)", failing_uri, error->message,
           g_quark_to_string (error->domain), error->code);

  /* A new load replaced this one, or our own policy ignored it: the page
   * that was there stays. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED) ||
      g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      return TRUE;
    }

  description = g_strdup_printf (_("%s did not answer: %s. Start the dev server, then retry."),
                                 failing_uri, error->message);
  show_failure (self, _("Dev Server Not Reachable"), description);

  return TRUE;
}

/* A dev server with a self-signed certificate is not trusted either: the
 * preview makes no exceptions, so it says so and offers the browser. */
static gboolean
load_failed_with_tls_errors_cb (SeroPreviewPane      *self,
                                const char           *failing_uri,
                                GTlsCertificate      *certificate,
                                GTlsCertificateFlags  errors)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf (_("%s presented a certificate that is not trusted. "
                                   "Serve it over http, or open it in a web browser."),
                                 failing_uri);
  show_failure (self, _("Dev Server Not Trusted"), description);

  return TRUE;
}

static void
web_process_terminated_cb (SeroPreviewPane                   *self,
                           WebKitWebProcessTerminationReason  reason)
{
  const char *why;

  switch (reason)
    {
    case WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT:
      why = _("The page used more memory than a preview may.");
      break;

    case WEBKIT_WEB_PROCESS_TERMINATED_BY_API:
      return;

    case WEBKIT_WEB_PROCESS_CRASHED:
    default:
      why = _("The page’s web process crashed.");
      break;
    }

  show_failure (self, _("Preview Stopped"), why);
}

static void
notify_uri_cb (SeroPreviewPane *self)
{
  const char *uri = webkit_web_view_get_uri (self->web_view);

  /* A failed first load leaves the view on nothing (or about:blank); the
   * address a person can retry is still the dev server's. */
  if (uri == NULL || uri[0] == '\0' || g_str_equal (uri, "about:blank"))
    uri = self->url;

  set_address (self, uri);
}

static void
notify_title_cb (SeroPreviewPane *self)
{
  set_title (self, webkit_web_view_get_title (self->web_view));
}

static void
notify_progress_cb (SeroPreviewPane *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 webkit_web_view_get_estimated_load_progress (self->web_view));
}

static void
inspector_closed_cb (SeroPreviewPane *self)
{
  if (self->inspector_visible)
    {
      self->inspector_visible = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSPECTOR_VISIBLE]);
    }
}

static void
ensure_web_view (SeroPreviewPane *self)
{
  g_autoptr(WebKitSettings) settings = NULL;
  WebKitWebInspector *inspector;

  if (self->web_view != NULL)
    return;

  self->web_context = acquire_web_context ();
  self->network_session = acquire_network_session ();

  settings = webkit_settings_new_with_settings (/* The inspector toggle. */
                                                "enable-developer-extras", TRUE,
                                                /* window.open() without a click is blocked
                                                 * before it reaches the popup policy. */
                                                "javascript-can-open-windows-automatically", FALSE,
                                                "javascript-can-access-clipboard", FALSE,
                                                "allow-file-access-from-file-urls", FALSE,
                                                "allow-universal-access-from-file-urls", FALSE,
                                                NULL);
  webkit_settings_set_user_agent_with_application_details (settings, "Sero", PACKAGE_VERSION);

  /* The policy is construct-only: no page ever runs in this view without it. */
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", self->web_context,
                                 "network-session", self->network_session,
                                 "settings", settings,
                                 "default-content-security-policy", sero_preview_policy_get_csp (),
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);

  g_signal_connect_object (self->web_view, "decide-policy",
                           G_CALLBACK (decide_policy_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "create",
                           G_CALLBACK (create_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "permission-request",
                           G_CALLBACK (permission_request_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "query-permission-state",
                           G_CALLBACK (query_permission_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "enter-fullscreen",
                           G_CALLBACK (enter_fullscreen_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "show-notification",
                           G_CALLBACK (show_notification_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "load-changed",
                           G_CALLBACK (load_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "load-failed",
                           G_CALLBACK (load_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "load-failed-with-tls-errors",
                           G_CALLBACK (load_failed_with_tls_errors_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "web-process-terminated",
                           G_CALLBACK (web_process_terminated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "notify::uri",
                           G_CALLBACK (notify_uri_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "notify::title",
                           G_CALLBACK (notify_title_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "notify::estimated-load-progress",
                           G_CALLBACK (notify_progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (webkit_web_view_get_back_forward_list (self->web_view), "changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);

  inspector = webkit_web_view_get_inspector (self->web_view);
  g_signal_connect_object (inspector, "closed",
                           G_CALLBACK (inspector_closed_cb), self, G_CONNECT_SWAPPED);

  adw_bin_set_child (self->web_bin, GTK_WIDGET (self->web_view));
  update_actions (self);
}

/**
 * sero_preview_pane_load:
 * @self: a #SeroPreviewPane
 * @url: a dev server's address on this computer
 *
 * Shows @url and makes its origin the one the preview stays on. The first
 * load starts WebKit. @url must pass sero_preview_policy_check_url(): the
 * dev-server registry only hands out loopback addresses.
 */
void
sero_preview_pane_load (SeroPreviewPane *self,
                        const char      *url)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SERO_IS_PREVIEW_PANE (self));
  g_return_if_fail (url != NULL);

  if (!sero_preview_policy_check_url (url, &error))
    {
      g_critical ("%s", error->message);
      return;
    }

  g_free (self->origin);
  self->origin = sero_preview_policy_dup_origin (url);
  if (replace_str (&self->url, url))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  set_title (self, NULL);

  ensure_web_view (self);
  set_address (self, url);
  gtk_stack_set_visible_child_name (self->stack, "web");
  webkit_web_view_load_uri (self->web_view, url);
  update_actions (self);
}

/**
 * sero_preview_pane_reload:
 * @self: a #SeroPreviewPane
 *
 * Reloads the page, or retries the dev server after it was not reachable.
 */
void
sero_preview_pane_reload (SeroPreviewPane *self)
{
  g_return_if_fail (SERO_IS_PREVIEW_PANE (self));

  if (self->web_view == NULL || self->url == NULL)
    return;

  /* After a failure the view holds no page of the server's to reload. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "unreachable") == 0)
    webkit_web_view_load_uri (self->web_view, self->url);
  else
    webkit_web_view_reload (self->web_view);
}

/**
 * sero_preview_pane_get_url:
 * @self: a #SeroPreviewPane
 *
 * Returns: (nullable): the dev server's address the pane was opened on
 */
const char *
sero_preview_pane_get_url (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return self->url;
}

/**
 * sero_preview_pane_get_title:
 * @self: a #SeroPreviewPane
 *
 * Returns: (nullable): the page's title, or its address while it has none
 */
const char *
sero_preview_pane_get_title (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return self->title;
}

static void
set_inspector_visible (SeroPreviewPane *self,
                       gboolean         visible)
{
  WebKitWebInspector *inspector;

  visible = !!visible && self->web_view != NULL;
  if (visible == self->inspector_visible)
    return;

  self->inspector_visible = visible;
  inspector = self->web_view ? webkit_web_view_get_inspector (self->web_view) : NULL;

  if (inspector != NULL)
    {
      if (visible)
        webkit_web_inspector_show (inspector);
      else
        webkit_web_inspector_close (inspector);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSPECTOR_VISIBLE]);
}

static void
address_activate_cb (SeroPreviewPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_entry));
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  text += strspn (text, " \t");
  /* "localhost:5173" would parse as the scheme "localhost". */
  url = strstr (text, "://") ? g_strstrip (g_strdup (text)) : g_strconcat ("http://", g_strstrip (g_strdup (text)), NULL);

  if (sero_preview_policy_check_url (url, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->address_entry), NULL);
      sero_preview_pane_load (self, url);
      gtk_widget_grab_focus (GTK_WIDGET (self->web_view));
      return;
    }

  /* A person typed a remote address: that is what a browser is for. */
  if (sero_preview_policy_is_web_url (url))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_entry), "error");
      launch_in_browser (self, url);
      return;
    }

  gtk_widget_add_css_class (GTK_WIDGET (self->address_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->address_entry), error->message);
}

static void
preview_back (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (widget);

  if (self->web_view != NULL)
    webkit_web_view_go_back (self->web_view);
}

static void
preview_forward (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (widget);

  if (self->web_view != NULL)
    webkit_web_view_go_forward (self->web_view);
}

static void
preview_reload (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  sero_preview_pane_reload (SERO_PREVIEW_PANE (widget));
}

static void
preview_open_in_browser (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (widget);
  const char *uri = self->web_view ? webkit_web_view_get_uri (self->web_view) : NULL;

  if (!sero_preview_policy_is_web_url (uri))
    uri = self->url;

  if (sero_preview_policy_is_web_url (uri))
    launch_in_browser (self, uri);
}

static void
preview_close (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[CLOSE_REQUESTED], 0);
}

static void
preview_focus_address (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->address_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->address_entry), 0, -1);
}

static void
sero_preview_pane_dispose (GObject *object)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);
  GtkWidget *child;

  if (self->web_view != NULL && self->inspector_visible)
    webkit_web_inspector_close (webkit_web_view_get_inspector (self->web_view));

  gtk_widget_dispose_template (GTK_WIDGET (self), SERO_TYPE_PREVIEW_PANE);
  /* GTK 4.8 only unparents the template children it binds to fields. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->web_view = NULL;

  /* After the view, which holds its own references: when this was the
   * last preview, the session and the context go now. */
  g_clear_object (&self->network_session);
  g_clear_object (&self->web_context);

  G_OBJECT_CLASS (sero_preview_pane_parent_class)->dispose (object);
}

static void
sero_preview_pane_finalize (GObject *object)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->shown_address, g_free);

  G_OBJECT_CLASS (sero_preview_pane_parent_class)->finalize (object);
}

static void
sero_preview_pane_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_INSPECTOR_VISIBLE:
      g_value_set_boolean (value, self->inspector_visible);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_preview_pane_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);

  switch (prop_id)
    {
    case PROP_INSPECTOR_VISIBLE:
      set_inspector_visible (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_preview_pane_class_init (SeroPreviewPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sero_preview_pane_dispose;
  object_class->finalize = sero_preview_pane_finalize;
  object_class->get_property = sero_preview_pane_get_property;
  object_class->set_property = sero_preview_pane_set_property;

  /**
   * SeroPreviewPane:url:
   *
   * The dev server's address the pane was opened on.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * SeroPreviewPane:title:
   *
   * The page's title, or its address while it has none; for a tab label.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * SeroPreviewPane:inspector-visible:
   *
   * Whether WebKit's web inspector is shown for the page.
   */
  properties[PROP_INSPECTOR_VISIBLE] =
    g_param_spec_boolean ("inspector-visible", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SeroPreviewPane::close-requested:
   *
   * The person asked to close the preview; the container removes the pane.
   */
  signals[CLOSE_REQUESTED] =
    g_signal_new ("close-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /* Our own bundle, registered by hand: the static library would let the
   * linker drop a constructor-registered one. */
  sero_preview_register_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sero/Sero/preview/sero-preview-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, SeroPreviewPane, address_entry);
  gtk_widget_class_bind_template_child (widget_class, SeroPreviewPane, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SeroPreviewPane, stack);
  gtk_widget_class_bind_template_child (widget_class, SeroPreviewPane, web_bin);
  gtk_widget_class_bind_template_child (widget_class, SeroPreviewPane, unreachable_page);
  gtk_widget_class_bind_template_callback (widget_class, address_activate_cb);

  gtk_widget_class_install_action (widget_class, "preview.back", NULL, preview_back);
  gtk_widget_class_install_action (widget_class, "preview.forward", NULL, preview_forward);
  gtk_widget_class_install_action (widget_class, "preview.reload", NULL, preview_reload);
  gtk_widget_class_install_action (widget_class, "preview.open-in-browser", NULL, preview_open_in_browser);
  gtk_widget_class_install_action (widget_class, "preview.close", NULL, preview_close);
  gtk_widget_class_install_action (widget_class, "preview.focus-address", NULL, preview_focus_address);
  gtk_widget_class_install_property_action (widget_class, "preview.inspector", "inspector-visible");

  gtk_widget_class_set_css_name (widget_class, "seropreviewpane");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sero_preview_pane_init (SeroPreviewPane *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (pane_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (pane_shortcuts[i].keyval,
                                                                                    pane_shortcuts[i].modifiers),
                                                            gtk_named_action_new (pane_shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  update_actions (self);
}

/**
 * sero_preview_pane_new:
 *
 * A pane with no page yet; WebKit starts at the first
 * sero_preview_pane_load().
 *
 * Returns: (transfer floating): a new #SeroPreviewPane
 */
GtkWidget *
sero_preview_pane_new (void)
{
  return g_object_new (SERO_TYPE_PREVIEW_PANE, NULL);
}
