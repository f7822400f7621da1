/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SERO_TYPE_PREVIEW_PANE (sero_preview_pane_get_type ())

G_DECLARE_FINAL_TYPE (SeroPreviewPane, sero_preview_pane, SERO, PREVIEW_PANE, GtkWidget)

GtkWidget  *sero_preview_pane_new       (void);
void        sero_preview_pane_load      (SeroPreviewPane *self,
                                         const char      *url);
void        sero_preview_pane_reload    (SeroPreviewPane *self);
const char *sero_preview_pane_get_url   (SeroPreviewPane *self);
const char *sero_preview_pane_get_title (SeroPreviewPane *self);

G_END_DECLS
