/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "sero-preview-pane.h"
#include "sero-preview-pane-private.h"
#include "sero-preview-policy.h"

/* The preview pane of a build without WebKitGTK (macOS, or `-Dwebkit=disabled`):
 * the same API as the embedded one, and a page that offers the dev server
 * in the system browser instead (issue 7). No web content runs in Sero, so
 * none of the embedded policy applies beyond refusing non-loopback
 * addresses, which sero_preview_pane_load() still does. */

struct _SeroPreviewPane
{
  GtkWidget      parent_instance;

  char          *url;
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (SeroPreviewPane, sero_preview_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_URL,
  PROP_TITLE,
  N_PROPS
};

enum {
  CLOSE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GObject *
_sero_preview_peek_network_session (void)
{
  return NULL;
}

GtkWidget *
_sero_preview_pane_get_web_view (SeroPreviewPane *self)
{
  return NULL;
}

const char *
_sero_preview_pane_get_visible_page (SeroPreviewPane *self)
{
  return "browser";
}

void
sero_preview_pane_load (SeroPreviewPane *self,
                        const char      *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (SERO_IS_PREVIEW_PANE (self));
  g_return_if_fail (url != NULL);

  if (!sero_preview_policy_check_url (url, &error))
    {
      g_critical ("%s", error->message);
      return;
    }

  if (g_strcmp0 (self->url, url) == 0)
    return;

  g_free (self->url);
  self->url = g_strdup (url);

  description = g_strdup_printf (_("This build of Sero has no embedded preview. "
                                   "Open %s in your web browser."), url);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.open-in-browser", TRUE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
sero_preview_pane_reload (SeroPreviewPane *self)
{
  g_return_if_fail (SERO_IS_PREVIEW_PANE (self));
}

const char *
sero_preview_pane_get_url (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return self->url;
}

const char *
sero_preview_pane_get_title (SeroPreviewPane *self)
{
  g_return_val_if_fail (SERO_IS_PREVIEW_PANE (self), NULL);

  return self->url;
}

static void
preview_open_in_browser (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (widget);

  if (self->url == NULL)
    return;

  sero_preview_policy_audit ("opened externally", self->url);
  _sero_preview_launch_in_browser (widget, self->url);
}

static void
preview_close (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[CLOSE_REQUESTED], 0);
}

static void
sero_preview_pane_dispose (GObject *object)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);

  g_clear_pointer ((GtkWidget **) &self->status_page, gtk_widget_unparent);

  G_OBJECT_CLASS (sero_preview_pane_parent_class)->dispose (object);
}

static void
sero_preview_pane_finalize (GObject *object)
{
  SeroPreviewPane *self = SERO_PREVIEW_PANE (object);

  g_clear_pointer (&self->url, g_free);

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
    case PROP_TITLE:
      g_value_set_string (value, self->url);
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

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CLOSE_REQUESTED] =
    g_signal_new ("close-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "preview.open-in-browser", NULL, preview_open_in_browser);
  gtk_widget_class_install_action (widget_class, "preview.close", NULL, preview_close);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "seropreviewpane");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sero_preview_pane_init (SeroPreviewPane *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *open_button = gtk_button_new_with_mnemonic (_("_Open in Browser"));
  GtkWidget *close_button = gtk_button_new_with_mnemonic (_("_Close Preview"));

  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open_button), "preview.open-in-browser");
  gtk_widget_add_css_class (open_button, "pill");
  gtk_widget_add_css_class (open_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close_button), "preview.close");
  gtk_widget_add_css_class (close_button, "pill");
  gtk_box_append (GTK_BOX (box), open_button);
  gtk_box_append (GTK_BOX (box), close_button);

  self->status_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->status_page, "web-browser-symbolic");
  adw_status_page_set_title (self->status_page, _("Preview in a Web Browser"));
  adw_status_page_set_description (self->status_page,
                                   _("This build of Sero has no embedded preview."));
  adw_status_page_set_child (self->status_page, box);
  gtk_widget_set_parent (GTK_WIDGET (self->status_page), GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preview.open-in-browser", FALSE);
}

GtkWidget *
sero_preview_pane_new (void)
{
  return g_object_new (SERO_TYPE_PREVIEW_PANE, NULL);
}
