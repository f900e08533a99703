package io.herald.sender.transport;

import java.net.URI;
import java.util.Locale;

/** Guesses the WhatsApp media type of a URL from its file extension. */
enum MediaKind {
  IMAGE("image"),
  DOCUMENT("document"),
  VIDEO("video"),
  AUDIO("audio");

  final String wire;

  MediaKind(String wire) {
    this.wire = wire;
  }

  static MediaKind of(String url) {
    String path;
    try {
      path = URI.create(url).getPath();
    } catch (IllegalArgumentException e) {
      path = url;
    }
    String p = path == null ? "" : path.toLowerCase(Locale.ROOT);
    int dot = p.lastIndexOf('.');
    String ext = dot < 0 ? "" : p.substring(dot + 1);
    switch (ext) {
      case "pdf":
      case "doc":
      case "docx":
      case "xls":
      case "xlsx":
      case "ppt":
      case "pptx":
      case "txt":
      case "csv":
      case "zip":
        return DOCUMENT;
      case "mp4":
      case "3gp":
        return VIDEO;
      case "mp3":
      case "ogg":
      case "aac":
      case "amr":
      case "m4a":
      case "opus":
        return AUDIO;
      default:
        return IMAGE;
    }
  }

  static String fileName(String url) {
    try {
      String path = URI.create(url).getPath();
      int slash = path == null ? -1 : path.lastIndexOf('/');
      return slash < 0 || slash == path.length() - 1 ? null : path.substring(slash + 1);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
