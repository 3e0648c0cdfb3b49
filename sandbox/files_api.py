"""The file upload methods of the fake Slack (``files_upload_v2``: get an upload URL, upload, complete).

``FilesApi`` is a part of :class:`sandbox.fake_slack.FakeSlack`, next to :class:`sandbox.web_api.WebApi`.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.http_plumbing import CaseInsensitiveDict, parse_multipart
from sandbox.web_api import SlackError

__all__ = ["FilesApi"]


class FilesApi:
    """``files.getUploadURLExternal``, the upload itself, and ``files.completeUploadExternal``."""

    def _file_methods(self) -> dict[str, Callable[[dict], dict]]:
        return {
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _files_get_upload_url(self, params: dict) -> dict:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length in (None, ""):
            raise SlackError("invalid_arguments", ["[ERROR] filename and length are required"])
        try:
            length = int(length)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments", ["[ERROR] length must be an integer"]) from None
        file_id = f"F{next(self._ids):010d}"
        self._files[file_id] = {
            "file_id": file_id,
            "filename": filename,
            "length": length,
            "title": None,
            "content": None,
            "completed": False,
            "channel_id": None,
            "initial_comment": None,
            "thread_ts": None,
        }
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _receive_upload(self, file_id: str, headers: CaseInsensitiveDict, raw: bytes) -> str:
        record = self._files.get(file_id)
        if record is None:
            raise SlackError("file_not_found")
        content_type = headers.get("content-type") or ""
        if content_type.startswith("multipart/form-data"):
            parts = parse_multipart(raw, content_type)
            raw = next((v for v in parts.values() if isinstance(v, bytes)), raw)
        record["content"] = raw
        return f"OK - {len(raw)}"

    def _files_complete_upload(self, params: dict) -> dict:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments", ["[ERROR] files must be a non-empty JSON array"])
        channels: list[str] = []
        if params.get("channel_id"):
            channels.append(self._require_channel(params["channel_id"], allow_user=False))
        if params.get("channels"):
            channels.extend(
                self._require_channel(c.strip(), allow_user=False)
                for c in str(params["channels"]).split(",")
                if c.strip()
            )
        records = []
        for item in files:
            record = self._files.get(item.get("id", "")) if isinstance(item, dict) else None
            if record is None or record["content"] is None or record["completed"]:
                raise SlackError("file_not_found")
            records.append((record, item))
        result = []
        for record, item in records:
            record["completed"] = True
            record["title"] = item.get("title") or record["filename"]
            record["channel_id"] = channels[0] if channels else None
            record["initial_comment"] = params.get("initial_comment")
            record["thread_ts"] = params.get("thread_ts")
            result.append(
                {
                    "id": record["file_id"],
                    "name": record["filename"],
                    "title": record["title"],
                    "size": len(record["content"]),
                    "user": self.bot_user_id,
                    "channels": [c for c in channels if c.startswith("C")],
                    "groups": [c for c in channels if c.startswith("G")],
                    "ims": [c for c in channels if c.startswith("D")],
                }
            )
        for channel in channels:  # Slack shares the files with one message per channel
            message = self._new_message(channel, params.get("initial_comment") or "", [])
            message["files"] = [{"id": f["id"], "name": f["name"], "title": f["title"]} for f in result]
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "files": result}
