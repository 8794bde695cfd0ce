import Foundation

/// Círculo de Crédito's answer to a "Reporte de Crédito Consolidado con FICO Score" query, read leniently: only
/// `folioConsulta` is required, every other field may be missing, null or of another JSON type than expected (it is then
/// read as absent), lists default to empty. Amounts stay as Círculo writes them (whole pesos, as text); numbers sent
/// where text was expected are kept as their text.
///
/// The caller keeps the answer's bytes (`CirculoClient.report` returns them) as the record of what Círculo said.
public struct CirculoReport: Decodable, Sendable, Equatable {
    /// Círculo's folio for this query (what the consumer's file shows as a consultation).
    public var folioConsulta: String
    /// The lender's `folioOtorgante`, answered back.
    public var folioConsultaOtorgante: String?
    public var claveOtorgante: String?
    public var declaracionesConsumidor: String?
    public var persona: Persona?
    public var consultas: [Consulta]
    public var creditos: [Credito]
    public var domicilios: [Domicilio]
    public var empleos: [Empleo]
    public var scores: [Score]
    public var mensajes: [Mensaje]

    public init(
        folioConsulta: String, folioConsultaOtorgante: String? = nil, claveOtorgante: String? = nil, declaracionesConsumidor: String? = nil,
        persona: Persona? = nil, consultas: [Consulta] = [], creditos: [Credito] = [], domicilios: [Domicilio] = [], empleos: [Empleo] = [],
        scores: [Score] = [], mensajes: [Mensaje] = []
    ) {
        self.folioConsulta = folioConsulta
        self.folioConsultaOtorgante = folioConsultaOtorgante
        self.claveOtorgante = claveOtorgante
        self.declaracionesConsumidor = declaracionesConsumidor
        self.persona = persona
        self.consultas = consultas
        self.creditos = creditos
        self.domicilios = domicilios
        self.empleos = empleos
        self.scores = scores
        self.mensajes = mensajes
    }

    /// The FICO score's value, when the report has one.
    public var ficoScore: Int? {
        (scores.first { $0.nombreScore?.uppercased().contains("FICO") == true } ?? scores.first)?.valor
    }

    enum CodingKeys: String, CodingKey {
        case folioConsulta, folioConsultaOtorgante, claveOtorgante, declaracionesConsumidor, persona, consultas, creditos, domicilios, empleos, scores,
            mensajes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let folio = container.circuloText(.folioConsulta), !folio.isEmpty else {
            throw DecodingError.keyNotFound(
                CodingKeys.folioConsulta, .init(codingPath: container.codingPath, debugDescription: "El reporte no trae folioConsulta.")
            )
        }
        folioConsulta = folio
        folioConsultaOtorgante = container.circuloText(.folioConsultaOtorgante)
        claveOtorgante = container.circuloText(.claveOtorgante)
        declaracionesConsumidor = container.circuloText(.declaracionesConsumidor)
        persona = (try? container.decodeIfPresent(Persona.self, forKey: .persona)) ?? nil
        consultas = container.circuloList(.consultas)
        creditos = container.circuloList(.creditos)
        domicilios = container.circuloList(.domicilios)
        empleos = container.circuloList(.empleos)
        scores = container.circuloList(.scores)
        mensajes = container.circuloList(.mensajes)
    }

    /// The person as Círculo has them on file.
    public struct Persona: Decodable, Sendable, Equatable {
        public var apellidoPaterno: String?
        public var apellidoMaterno: String?
        public var apellidoAdicional: String?
        public var nombres: String?
        public var fechaNacimiento: String?
        public var rfc: String?
        public var curp: String?
        public var nacionalidad: String?

        public init(
            apellidoPaterno: String? = nil, apellidoMaterno: String? = nil, apellidoAdicional: String? = nil, nombres: String? = nil,
            fechaNacimiento: String? = nil, rfc: String? = nil, curp: String? = nil, nacionalidad: String? = nil
        ) {
            self.apellidoPaterno = apellidoPaterno
            self.apellidoMaterno = apellidoMaterno
            self.apellidoAdicional = apellidoAdicional
            self.nombres = nombres
            self.fechaNacimiento = fechaNacimiento
            self.rfc = rfc
            self.curp = curp
            self.nacionalidad = nacionalidad
        }

        enum CodingKeys: String, CodingKey {
            case apellidoPaterno, apellidoMaterno, apellidoAdicional, nombres, fechaNacimiento, nacionalidad
            case rfc = "RFC"
            case curp = "CURP"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            apellidoPaterno = container.circuloText(.apellidoPaterno)
            apellidoMaterno = container.circuloText(.apellidoMaterno)
            apellidoAdicional = container.circuloText(.apellidoAdicional)
            nombres = container.circuloText(.nombres)
            fechaNacimiento = container.circuloText(.fechaNacimiento)
            rfc = container.circuloText(.rfc)
            curp = container.circuloText(.curp)
            nacionalidad = container.circuloText(.nacionalidad)
        }
    }

    /// Someone who looked at the person's file.
    public struct Consulta: Decodable, Sendable, Equatable {
        public var fechaConsulta: String?
        public var nombreOtorgante: String?
        public var tipoCredito: String?
        public var claveUnidadMonetaria: String?
        /// Whole pesos, as text.
        public var importeCredito: String?
        public var tipoResponsabilidad: String?

        public init(
            fechaConsulta: String? = nil, nombreOtorgante: String? = nil, tipoCredito: String? = nil, claveUnidadMonetaria: String? = nil,
            importeCredito: String? = nil, tipoResponsabilidad: String? = nil
        ) {
            self.fechaConsulta = fechaConsulta
            self.nombreOtorgante = nombreOtorgante
            self.tipoCredito = tipoCredito
            self.claveUnidadMonetaria = claveUnidadMonetaria
            self.importeCredito = importeCredito
            self.tipoResponsabilidad = tipoResponsabilidad
        }

        enum CodingKeys: String, CodingKey {
            case fechaConsulta, nombreOtorgante, tipoCredito, claveUnidadMonetaria, importeCredito, tipoResponsabilidad
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fechaConsulta = container.circuloText(.fechaConsulta)
            nombreOtorgante = container.circuloText(.nombreOtorgante)
            tipoCredito = container.circuloText(.tipoCredito)
            claveUnidadMonetaria = container.circuloText(.claveUnidadMonetaria)
            importeCredito = container.circuloText(.importeCredito)
            tipoResponsabilidad = container.circuloText(.tipoResponsabilidad)
        }
    }

    /// One account the person holds or held.
    public struct Credito: Decodable, Sendable, Equatable {
        public var fechaActualizacion: String?
        public var nombreOtorgante: String?
        public var cuentaActual: String?
        /// I individual, M mancomunado, O obligado solidario…
        public var tipoResponsabilidad: String?
        /// R revolvente, I pagos fijos, M hipoteca…
        public var tipoCuenta: String?
        /// TC tarjeta de crédito, PP préstamo personal, AU automotriz…
        public var tipoCredito: String?
        public var claveUnidadMonetaria: String?
        public var frecuenciaPagos: String?
        // Amounts: whole pesos, as text.
        public var montoPagar: String?
        public var fechaAperturaCuenta: String?
        public var fechaUltimoPago: String?
        public var fechaCierreCuenta: String?
        public var fechaReporte: String?
        public var creditoMaximo: String?
        public var saldoActual: String?
        public var limiteCredito: String?
        public var saldoVencido: String?
        public var numeroPagosVencidos: String?
        /// `V` when current, otherwise the MOP (`02` = 1 to 29 days late, `03` = 30 to 59…).
        public var pagoActual: String?
        /// The payment history, most recent first.
        public var historicoPagos: String?
        /// The worst number of payments late.
        public var peorAtraso: String?

        public init(
            fechaActualizacion: String? = nil, nombreOtorgante: String? = nil, cuentaActual: String? = nil, tipoResponsabilidad: String? = nil,
            tipoCuenta: String? = nil, tipoCredito: String? = nil, claveUnidadMonetaria: String? = nil, frecuenciaPagos: String? = nil,
            montoPagar: String? = nil, fechaAperturaCuenta: String? = nil, fechaUltimoPago: String? = nil, fechaCierreCuenta: String? = nil,
            fechaReporte: String? = nil, creditoMaximo: String? = nil, saldoActual: String? = nil, limiteCredito: String? = nil,
            saldoVencido: String? = nil, numeroPagosVencidos: String? = nil, pagoActual: String? = nil, historicoPagos: String? = nil,
            peorAtraso: String? = nil
        ) {
            self.fechaActualizacion = fechaActualizacion
            self.nombreOtorgante = nombreOtorgante
            self.cuentaActual = cuentaActual
            self.tipoResponsabilidad = tipoResponsabilidad
            self.tipoCuenta = tipoCuenta
            self.tipoCredito = tipoCredito
            self.claveUnidadMonetaria = claveUnidadMonetaria
            self.frecuenciaPagos = frecuenciaPagos
            self.montoPagar = montoPagar
            self.fechaAperturaCuenta = fechaAperturaCuenta
            self.fechaUltimoPago = fechaUltimoPago
            self.fechaCierreCuenta = fechaCierreCuenta
            self.fechaReporte = fechaReporte
            self.creditoMaximo = creditoMaximo
            self.saldoActual = saldoActual
            self.limiteCredito = limiteCredito
            self.saldoVencido = saldoVencido
            self.numeroPagosVencidos = numeroPagosVencidos
            self.pagoActual = pagoActual
            self.historicoPagos = historicoPagos
            self.peorAtraso = peorAtraso
        }

        enum CodingKeys: String, CodingKey {
            case fechaActualizacion, nombreOtorgante, cuentaActual, tipoResponsabilidad, tipoCuenta, tipoCredito, claveUnidadMonetaria, frecuenciaPagos,
                montoPagar, fechaAperturaCuenta, fechaUltimoPago, fechaCierreCuenta, fechaReporte, creditoMaximo, saldoActual, limiteCredito,
                saldoVencido, numeroPagosVencidos, pagoActual, historicoPagos, peorAtraso
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fechaActualizacion = container.circuloText(.fechaActualizacion)
            nombreOtorgante = container.circuloText(.nombreOtorgante)
            cuentaActual = container.circuloText(.cuentaActual)
            tipoResponsabilidad = container.circuloText(.tipoResponsabilidad)
            tipoCuenta = container.circuloText(.tipoCuenta)
            tipoCredito = container.circuloText(.tipoCredito)
            claveUnidadMonetaria = container.circuloText(.claveUnidadMonetaria)
            frecuenciaPagos = container.circuloText(.frecuenciaPagos)
            montoPagar = container.circuloText(.montoPagar)
            fechaAperturaCuenta = container.circuloText(.fechaAperturaCuenta)
            fechaUltimoPago = container.circuloText(.fechaUltimoPago)
            fechaCierreCuenta = container.circuloText(.fechaCierreCuenta)
            fechaReporte = container.circuloText(.fechaReporte)
            creditoMaximo = container.circuloText(.creditoMaximo)
            saldoActual = container.circuloText(.saldoActual)
            limiteCredito = container.circuloText(.limiteCredito)
            saldoVencido = container.circuloText(.saldoVencido)
            numeroPagosVencidos = container.circuloText(.numeroPagosVencidos)
            pagoActual = container.circuloText(.pagoActual)
            historicoPagos = container.circuloText(.historicoPagos)
            peorAtraso = container.circuloText(.peorAtraso)
        }
    }

    /// An address Círculo has on file for the person.
    public struct Domicilio: Decodable, Sendable, Equatable {
        public var direccion: String?
        public var coloniaPoblacion: String?
        public var delegacionMunicipio: String?
        public var ciudad: String?
        public var estado: String?
        public var cp: String?
        public var fechaResidencia: String?
        public var numeroTelefono: String?
        public var tipoDomicilio: String?
        public var fechaRegistroDomicilio: String?

        public init(
            direccion: String? = nil, coloniaPoblacion: String? = nil, delegacionMunicipio: String? = nil, ciudad: String? = nil, estado: String? = nil,
            cp: String? = nil, fechaResidencia: String? = nil, numeroTelefono: String? = nil, tipoDomicilio: String? = nil,
            fechaRegistroDomicilio: String? = nil
        ) {
            self.direccion = direccion
            self.coloniaPoblacion = coloniaPoblacion
            self.delegacionMunicipio = delegacionMunicipio
            self.ciudad = ciudad
            self.estado = estado
            self.cp = cp
            self.fechaResidencia = fechaResidencia
            self.numeroTelefono = numeroTelefono
            self.tipoDomicilio = tipoDomicilio
            self.fechaRegistroDomicilio = fechaRegistroDomicilio
        }

        enum CodingKeys: String, CodingKey {
            case direccion, coloniaPoblacion, delegacionMunicipio, ciudad, estado, fechaResidencia, numeroTelefono, tipoDomicilio, fechaRegistroDomicilio
            case cp = "CP"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            direccion = container.circuloText(.direccion)
            coloniaPoblacion = container.circuloText(.coloniaPoblacion)
            delegacionMunicipio = container.circuloText(.delegacionMunicipio)
            ciudad = container.circuloText(.ciudad)
            estado = container.circuloText(.estado)
            cp = container.circuloText(.cp)
            fechaResidencia = container.circuloText(.fechaResidencia)
            numeroTelefono = container.circuloText(.numeroTelefono)
            tipoDomicilio = container.circuloText(.tipoDomicilio)
            fechaRegistroDomicilio = container.circuloText(.fechaRegistroDomicilio)
        }
    }

    /// An employment Círculo has on file for the person.
    public struct Empleo: Decodable, Sendable, Equatable {
        public var nombreEmpresa: String?
        public var direccion: String?
        public var coloniaPoblacion: String?
        public var delegacionMunicipio: String?
        public var ciudad: String?
        public var estado: String?
        public var cp: String?
        public var numeroTelefono: String?
        public var puestoEmpleado: String?
        public var fechaContratacion: String?
        public var salarioMensual: String?
        public var fechaUltimoDiaEmpleo: String?
        public var fechaVerificacionEmpleo: String?

        public init(
            nombreEmpresa: String? = nil, direccion: String? = nil, coloniaPoblacion: String? = nil, delegacionMunicipio: String? = nil,
            ciudad: String? = nil, estado: String? = nil, cp: String? = nil, numeroTelefono: String? = nil, puestoEmpleado: String? = nil,
            fechaContratacion: String? = nil, salarioMensual: String? = nil, fechaUltimoDiaEmpleo: String? = nil, fechaVerificacionEmpleo: String? = nil
        ) {
            self.nombreEmpresa = nombreEmpresa
            self.direccion = direccion
            self.coloniaPoblacion = coloniaPoblacion
            self.delegacionMunicipio = delegacionMunicipio
            self.ciudad = ciudad
            self.estado = estado
            self.cp = cp
            self.numeroTelefono = numeroTelefono
            self.puestoEmpleado = puestoEmpleado
            self.fechaContratacion = fechaContratacion
            self.salarioMensual = salarioMensual
            self.fechaUltimoDiaEmpleo = fechaUltimoDiaEmpleo
            self.fechaVerificacionEmpleo = fechaVerificacionEmpleo
        }

        enum CodingKeys: String, CodingKey {
            case nombreEmpresa, direccion, coloniaPoblacion, delegacionMunicipio, ciudad, estado, numeroTelefono, puestoEmpleado, fechaContratacion,
                salarioMensual, fechaUltimoDiaEmpleo, fechaVerificacionEmpleo
            case cp = "CP"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            nombreEmpresa = container.circuloText(.nombreEmpresa)
            direccion = container.circuloText(.direccion)
            coloniaPoblacion = container.circuloText(.coloniaPoblacion)
            delegacionMunicipio = container.circuloText(.delegacionMunicipio)
            ciudad = container.circuloText(.ciudad)
            estado = container.circuloText(.estado)
            cp = container.circuloText(.cp)
            numeroTelefono = container.circuloText(.numeroTelefono)
            puestoEmpleado = container.circuloText(.puestoEmpleado)
            fechaContratacion = container.circuloText(.fechaContratacion)
            salarioMensual = container.circuloText(.salarioMensual)
            fechaUltimoDiaEmpleo = container.circuloText(.fechaUltimoDiaEmpleo)
            fechaVerificacionEmpleo = container.circuloText(.fechaVerificacionEmpleo)
        }
    }

    /// A score and the reasons (codes) that weigh on it most.
    public struct Score: Decodable, Sendable, Equatable {
        public var nombreScore: String?
        /// Read whether Círculo sends it as a number or as text.
        public var valor: Int?
        public var razones: [String]

        public init(nombreScore: String? = nil, valor: Int? = nil, razones: [String] = []) {
            self.nombreScore = nombreScore
            self.valor = valor
            self.razones = razones
        }

        enum CodingKeys: String, CodingKey {
            case nombreScore, valor, razones
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            nombreScore = container.circuloText(.nombreScore)
            valor = container.circuloText(.valor).flatMap { text -> Int? in
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                return Int(trimmed) ?? Double(trimmed).flatMap { $0.isFinite && abs($0) < 1e9 ? Int($0) : nil }
            }
            razones = ((try? container.decodeIfPresent([LenientText].self, forKey: .razones)) ?? nil)?.compactMap(\.text) ?? []
        }
    }

    /// A note Círculo adds to the report (`tipoMensaje`, `leyenda`).
    public struct Mensaje: Decodable, Sendable, Equatable {
        public var tipoMensaje: String?
        public var leyenda: String?

        public init(tipoMensaje: String? = nil, leyenda: String? = nil) {
            self.tipoMensaje = tipoMensaje
            self.leyenda = leyenda
        }

        enum CodingKeys: String, CodingKey {
            case tipoMensaje, leyenda
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tipoMensaje = container.circuloText(.tipoMensaje)
            leyenda = container.circuloText(.leyenda)
        }
    }
}

/// A JSON value read as text when it is a string or a number, and as nothing otherwise (never failing).
struct LenientText: Decodable {
    let text: String?

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.singleValueContainer(), !container.decodeNil() else {
            text = nil
            return
        }
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let number = try? container.decode(Double.self), number.isFinite {
            text = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            text = flag ? "true" : "false"
        } else {
            text = nil
        }
    }
}

/// An element of a list that is skipped when it cannot be read (instead of losing the whole list).
struct LenientElement<Element: Decodable>: Decodable {
    let value: Element?

    init(from decoder: any Decoder) throws {
        value = try? Element(from: decoder)
    }
}

extension KeyedDecodingContainer {
    /// The text at `key` (a number is kept as its text); nil when absent, null or not text nor number.
    func circuloText(_ key: Key) -> String? {
        ((try? decodeIfPresent(LenientText.self, forKey: key)) ?? nil)?.text
    }

    /// The list at `key`, without the elements that cannot be read; empty when absent, null or not a list.
    func circuloList<Element: Decodable>(_ key: Key) -> [Element] {
        ((try? decodeIfPresent([LenientElement<Element>].self, forKey: key)) ?? nil)?.compactMap(\.value) ?? []
    }
}
