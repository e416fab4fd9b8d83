package dev.miosa.data.api.volume;

import dev.miosa.data.api.web.ApiException;
import dev.miosa.data.api.web.ErrorCode;
import dev.miosa.data.api.web.FieldError;
import dev.miosa.data.volumes.VolumeError;
import dev.miosa.data.volumes.VolumeException;
import java.util.List;

/** Maps volume errors to the API's problem codes (the same names, statuses by kind). */
public final class VolumeProblems {

  private VolumeProblems() {}

  /**
   * @param e a refused volume request
   * @return the API error: {@code INVALID_REQUEST} naming the field for malformed requests, else
   *     the code of the same name ({@code VOLUME_ATTACHED}, {@code LEASE_LOST}, ...)
   */
  public static ApiException toApi(VolumeException e) {
    if (e.error().kind() == VolumeError.Kind.INVALID) {
      String field = e.error() == VolumeError.INVALID_INSTANCE_ID ? "instanceId" : "environment";
      return new ApiException(
          ErrorCode.INVALID_REQUEST,
          field + ": " + e.getMessage(),
          List.of(new FieldError(field, e.getMessage())));
    }
    return new ApiException(ErrorCode.valueOf(e.error().name()), e.getMessage());
  }
}
