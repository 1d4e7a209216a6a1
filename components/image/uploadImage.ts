/**
 * POST a docker-archive / oci-archive tarball to /api/images/import (a plain route: tRPC carries
 * JSON, not files). XMLHttpRequest rather than fetch because only it reports upload progress.
 * Same origin, so the session cookie and the Origin header the server checks go along.
 */
export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export function uploadImage(file: Blob, options: { format: ArchiveFormat; tag?: string; onProgress?: (sentBytes: number, totalBytes: number) => void; signal?: AbortSignal }): Promise<string> {
  const q = new URLSearchParams({ format: options.format });
  if (options.tag) q.set('tag', options.tag);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/images/import?${q}`);
    xhr.setRequestHeader('content-type', 'application/x-tar');
    xhr.upload.onprogress = (e) => options.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: { image?: string; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON: use the status below */
      }
      if (xhr.status === 200 && body.image) resolve(body.image);
      else reject(new Error(body.error ?? `import failed (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('the upload was interrupted (network error)'));
    xhr.onabort = () => reject(new Error('upload cancelled'));
    options.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** A guess from the file name; the user can change it (both are tarballs). */
export function guessFormat(fileName: string): ArchiveFormat {
  return /oci/i.test(fileName) ? 'oci-archive' : 'docker-archive';
}
