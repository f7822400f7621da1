/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-preview-pane.h"

G_BEGIN_DECLS

/* For the tests: they prove the lazy lifecycle and drive the page. */
GObject    *_sero_preview_peek_network_session  (void);
GtkWidget  *_sero_preview_pane_get_web_view     (SeroPreviewPane *self);
const char *_sero_preview_pane_get_visible_page (SeroPreviewPane *self);

/* Both panes (with and without WebKit) hand addresses to the browser here. */
void        _sero_preview_launch_in_browser     (GtkWidget       *widget,
                                                 const char      *uri);

G_END_DECLS
